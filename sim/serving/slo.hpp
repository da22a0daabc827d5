#pragma once
// Service-level objectives: latency percentiles a deployment must reach, and the share of requests
// that must meet the per-request targets ([serving] slo_ttft_s / slo_tpot_s). The scenario's [slo].
#include <array>
#include <optional>
#include <string>

namespace dssim {

struct SloTargets {
  static constexpr std::array<int, 3> kPercentiles{50, 90, 99};
  std::array<std::optional<double>, 3> ttft_s, tpot_s, e2e_s;  // p50, p90, p99 targets, seconds
  std::optional<double> goodput_fraction;                      // of requests meeting the per-request targets
  bool any() const;
};

class TomlTable;
// Reads [slo] (keys declared in serving/slo.cpp).
SloTargets read_slo(TomlTable& t);

}  // namespace dssim
