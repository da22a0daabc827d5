#pragma once
// The answer a report gives first: does the deployment keep up with its traffic, and does it meet the
// scenario's SLOs? A run that does not is flagged in every output format, and its money figures with it.
#include <optional>
#include <string>
#include <vector>

#include "serving/serving_metrics.hpp"
#include "serving/slo.hpp"

namespace dssim {

struct Prediction;

struct SloCheck {
  std::string metric;  // "ttft_p99_s", "goodput_fraction"
  double target = 0, achieved = 0;
  bool met = true;
};

// Whether the queue stays bounded. Requests sorted by arrival: the mean queueing delay of the last
// quarter against the first, per second of arrivals between them. A stable queue's delay does not trend;
// an overloaded one grows at about (arrival rate / service rate - 1) seconds per second.
struct LoadCheck {
  bool judged = false;  // request streams with at least 8 completed requests
  bool keeps_up = true;
  double offered_rps = 0;    // requests / their arrival span
  double completed_rps = 0;  // completed / makespan
  double wait_first_s = 0, wait_last_s = 0;  // mean queueing delay, first and last quarter of arrivals
  double wait_growth = 0;    // (wait_last - wait_first) / seconds between the quarters' mean arrivals
};

// The thresholds: growth above 5 % (3 s of extra waiting per minute of traffic) with the last quarter
// waiting over a second is a queue that does not drain.
inline constexpr double kOverloadGrowth = 0.05, kOverloadWaitS = 1.0;

struct Verdict {
  LoadCheck load;
  std::vector<SloCheck> slo;
  bool meets_slo() const;
  bool ok() const { return load.keeps_up && meets_slo(); }
  std::string headline() const;  // one line: "meets its SLOs and keeps up", "DOES NOT KEEP UP: ...", "MISSES ..."
};

LoadCheck judge_load(const ServingRun& run, const ServingSummary& s);
Verdict judge_stream(const ServingRun& run, const ServingSummary& s, const SloTargets& t);
// A fixed batch has one TTFT, TPOT and E2E: each is its own p50, p90 and p99. No queue, no goodput.
Verdict judge_fixed(const Prediction& p, const SloTargets& t);

}  // namespace dssim
