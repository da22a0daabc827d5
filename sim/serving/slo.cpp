#include "serving/slo.hpp"

#include "config/keys.hpp"
#include "config/toml_table.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {
using T = Key::Type;
const Key& declare(const char* metric, int p, const char* what) {
  return declare_key({"slo", fmt("%s_p%d_s", metric, p), T::number, 0, 1e9, {}, "s", "none",
                      fmt("the %s p%d must not exceed this", what, p), ""});
}
const std::array<const Key*, 3> kTtft{&declare("ttft", 50, "time to first token"), &declare("ttft", 90, "time to first token"),
                                      &declare("ttft", 99, "time to first token")};
const std::array<const Key*, 3> kTpot{&declare("tpot", 50, "per-request time per output token"),
                                      &declare("tpot", 90, "per-request time per output token"),
                                      &declare("tpot", 99, "per-request time per output token")};
const std::array<const Key*, 3> kE2e{&declare("e2e", 50, "end-to-end latency"), &declare("e2e", 90, "end-to-end latency"),
                                     &declare("e2e", 99, "end-to-end latency")};
const Key& kGoodput = declare_key({"slo", "goodput_fraction", T::number, 0, 1, {}, "", "none",
                                   "share of requests that must meet [serving] slo_ttft_s and slo_tpot_s", ""});
}  // namespace

bool SloTargets::any() const {
  for (const auto* a : {&ttft_s, &tpot_s, &e2e_s})
    for (const auto& v : *a)
      if (v) return true;
  return goodput_fraction.has_value();
}

SloTargets read_slo(TomlTable& t) {
  SloTargets s;
  for (std::size_t i = 0; i < 3; ++i) {
    s.ttft_s[i] = t.opt_number(*kTtft[i]);
    s.tpot_s[i] = t.opt_number(*kTpot[i]);
    s.e2e_s[i] = t.opt_number(*kE2e[i]);
  }
  s.goodput_fraction = t.opt_number(kGoodput);
  t.finish();
  return s;
}

}  // namespace dssim
