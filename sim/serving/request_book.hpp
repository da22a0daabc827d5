#pragma once
// What a serving run keeps of each request once it is over, so that the run's memory does not hold
// every request: the latencies the summary's distributions and the verdict's load check are made of,
// either every value (exact percentiles, 64 bytes a request) or logarithmic histograms and a sample
// (percentiles within kLogHistogramError, memory independent of the number of requests).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "serving/kv_queue.hpp"
#include "util/log_histogram.hpp"

namespace dssim {

enum class PercentileMode { exact, sketch };
// "exact" or "sketch"; an Error naming `where` otherwise.
PercentileMode parse_percentile_mode(const std::string& name, const std::string& where);
const char* percentile_mode_name(PercentileMode m);

// One request's latencies, seconds (exact mode). tpot < 0: a one-token output has none; transfer < 0:
// it never moved between pools.
struct RequestOutcome {
  double arrival = 0, ttft = 0, tpot = -1, e2e = 0, queue = 0, service = 0, transfer = -1;
  enum class State : std::uint8_t { pending, finished, rejected } state = State::pending;
};
static_assert(sizeof(RequestOutcome) == 64, "docs/serving.md and the CLI's note quote 64 bytes a request");

// The verdict's load check: each started request's arrival and queueing delay, in arrival order.
struct ArrivalWait {
  double arrival = 0, wait = 0;
};

// The sketch mode keeps every stride-th request of the stream (by position) for the load check,
// doubling the stride whenever more than this many are held: at least half as many remain.
inline constexpr std::size_t kLoadSampleCap = 65536;

class RequestBook {
 public:
  // `slo_*`: the per-request targets goodput counts against.
  RequestBook(PercentileMode mode = PercentileMode::exact, std::optional<double> slo_ttft_s = std::nullopt,
              std::optional<double> slo_tpot_s = std::nullopt);
  // A request that finished or was rejected (SeqState::index: its position in the stream), in any order.
  void add(const SeqState& q);
  // The stream's length, when known ahead: exact mode sizes its records once.
  void expect(long long n);

  PercentileMode mode() const { return mode_; }
  long long requests() const { return requests_; }  // finished and rejected
  long long completed() const { return completed_; }
  long long rejected() const { return rejected_; }
  long long output_tokens() const { return tokens_; }  // of the completed ones
  long long good() const { return good_; }  // completed within both SLO targets
  double first_arrival() const { return first_arrival_; }
  double last_arrival() const { return last_arrival_; }

  // The distributions' raw material: exact values (in stream order), or the histograms.
  const std::vector<RequestOutcome>& outcomes() const { return outcomes_; }
  const LogHistogram& ttft() const { return h_[kTtft]; }
  const LogHistogram& tpot() const { return h_[kTpot]; }
  const LogHistogram& e2e() const { return h_[kE2e]; }
  const LogHistogram& queue() const { return h_[kQueue]; }
  const LogHistogram& service() const { return h_[kService]; }
  const LogHistogram& transfer() const { return h_[kTransfer]; }
  // The started requests' arrivals and waits in arrival order: all of them (exact), or the sample.
  std::vector<ArrivalWait> arrival_waits() const;

 private:
  PercentileMode mode_;
  std::optional<double> slo_ttft_s_, slo_tpot_s_;
  long long requests_ = 0, completed_ = 0, rejected_ = 0, tokens_ = 0, good_ = 0;
  double first_arrival_ = 0, last_arrival_ = 0;
  std::vector<RequestOutcome> outcomes_;  // exact: by stream position
  enum Metric { kTtft, kTpot, kE2e, kQueue, kService, kTransfer, kMetrics };
  std::vector<LogHistogram> h_;  // sketch: one per Metric (none in exact mode: 24 KB each)
  struct Sampled {
    long long index;
    ArrivalWait aw;
  };
  std::vector<Sampled> sample_;  // sketch: started requests whose position is a multiple of stride_
  long long stride_ = 1;
};

}  // namespace dssim
