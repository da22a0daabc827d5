#pragma once
// What users feel and what they pay for, from a serving run: latency distributions, throughput,
// goodput, utilisation; plus the per-request CSV and a Chrome trace-event timeline.
#include <optional>
#include <string>

#include "serving/serving_sim.hpp"

namespace dssim {

struct Distribution {
  double mean = 0, p50 = 0, p90 = 0, p99 = 0;
  long long count = 0;
};
Distribution distribution(std::vector<double> v);

// A distribution read off a LogHistogram: percentiles within kLogHistogramError, mean and count exact.
Distribution distribution(const LogHistogram& h);

struct ServingSummary {
  PercentileMode percentiles = PercentileMode::exact;  // of the request distributions (ITL: always binned)
  Distribution ttft_s, tpot_s, e2e_s, queue_s, service_s;
  Distribution itl_s;  // inter-token latency: every gap between a request's consecutive token deliveries
  long long requests = 0, completed = 0, rejected = 0, preemptions = 0, iterations = 0;
  double makespan_s = 0, requests_per_s = 0, throughput_tok_s = 0, goodput_rps = 0;
  double gpu_busy_fraction = 0, mean_batch = 0;
  double gpu_busy_s = 0;                    // GPU-seconds with an iteration in flight, all GPUs
  double model_flops = 0, model_bytes = 0;  // the model's work in all iterations (MFU and MBU numerators)
  double littles_L = 0, littles_lambda_W = 0;  // time-averaged requests in system vs arrival rate x mean sojourn
  // power and temperature (when the run had a power setup)
  bool has_power = false;
  double max_temp_c = 0, mean_power_w = 0, busy_power_w = 0, throttled_fraction = 0;  // per GPU
  double energy_kwh = 0, kwh_per_million_tokens = 0;  // all GPUs
  bool shutdown_reached = false;
  // prefix cache (when on): prompt tokens looked up at admissions, and the share found in each tier
  bool prefix_cache = false;
  long long prefix_looked_tokens = 0, prefix_hit_tokens = 0;
  double prefix_hit_fraction = 0;
  double prefix_tier_fraction[kCacheTiers] = {0, 0, 0};  // GPU, host, SSD
  // speculative decoding (when on): tokens a decode step emitted on average
  bool speculation = false;
  double tokens_per_step = 0;
  // prefill/decode disaggregation: each transferred request's KV move, prefill pool to decode pool
  bool disaggregated = false;
  Distribution kv_transfer_s;
};

// One pool's GPUs (prefill and decode pools on different hardware): their mean draw over the run and
// while busy, the hottest of them, and the share of busy time spent throttled. Zeros without power.
// `kAllPools`: every GPU of the run (the summary's figures).
struct PoolPower {
  double mean_w = 0, busy_w = 0, max_temp_c = 0, throttled_fraction = 0;
  double energy_j = 0;  // all of the pool's GPUs together
  bool shutdown_reached = false;
};
inline constexpr int kAllPools = -1;
PoolPower pool_power(const ServingRun& run, int pool, int gpus_per_replica);

// `host_power_w`: every node's host draw over the makespan, added to the energy.
// Goodput counts against the SLO targets the run's RequestBook was given (ServingConfig's).
ServingSummary summarize(const ServingRun& run, int replicas, int gpus_per_replica = 1, double host_power_w = 0);
void write_thermal_csv(const ServingRun& run, int gpus_per_replica, const std::string& path);
// Needs the requests kept (ServingOptions::keep_requests).
void write_timeline(const ServingRun& run, const std::string& path);

}  // namespace dssim
