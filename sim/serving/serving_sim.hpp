#pragma once
// Replays requests through simulated serving replicas on the SimGrid platform (or, where they share
// nothing it models, on an event queue: serving/actor_task.hpp): a generator actor
// injects each request at its arrival time, a router picks a replica, and one actor per replica runs
// the scheduler loop, each iteration one activity on the replica's GPU lasting the iteration cost.
// A stretch of iterations that repeat (the same sequences decoding, until one finishes, the cache
// runs short or an arrival would be admitted) is one activity lasting the sum of their costs, each
// iteration still applied at its own end time; docs/serving.md says why that is exact.
#include <functional>
#include <string>
#include <vector>

#include "config/gpu_card.hpp"
#include "config/node_spec.hpp"
#include "model/model_work.hpp"
#include "power/gpu_power.hpp"
#include "serving/request_book.hpp"
#include "serving/scheduler.hpp"
#include "util/log_histogram.hpp"
#include "workload/request.hpp"
#include "workload/request_source.hpp"

namespace dssim {

struct IterationRecord {
  int replica = 0;
  double start_s = 0, end_s = 0;
  int sequences = 0;
  long long prefill_tokens = 0;
  int decodes = 0;
};

struct ServingOptions {
  bool record_iterations = false;  // for --timeline
  bool progress = false;           // simulated time and requests done on stderr, about once a second
  const PowerSetup* power = nullptr;  // clocks, power, temperature and energy per replica GPU
  // Run a stretch of decode steps that nothing can change as one activity (the default). false: one
  // activity per iteration, the reference the coalesced engine is checked against.
  bool coalesce = true;
  // Coalesced replays whose replicas share nothing SimGrid models (no offload streams, no prefix-cache
  // loads below the GPU, no KV transfers between pools) wait on dssim's event queue instead of SimGrid
  // activities: the same waits in the same order (serving/actor_task.hpp). false: always SimGrid.
  bool event_queue = true;
  // The prefix cache's host and SSD tiers per replica, in its blocks (with ServingConfig::prefix_cache),
  // and the read bandwidth of each node's SSDs (a SimGrid disk on the node's CPU, shared by its replicas).
  long long prefix_host_blocks = 0, prefix_ssd_blocks = 0;
  double ssd_read_Bps = 0;
  bool cxl_host = false;  // offload streams come from each node's CXL expanders, not its CPU's memory
  // What the run keeps of a request once it is over (serving/request_book): every latency (exact
  // percentiles) or histograms (within kLogHistogramError, memory independent of the trace's length).
  PercentileMode percentiles = PercentileMode::exact;
  // Also a copy of every request's state in ServingRun::seqs (the timeline, tests, bench --reference).
  bool keep_requests = true;
  // Written while the run goes, in stream order (serving/request_csv); empty: none.
  std::string requests_csv;
};

struct GpuEnergy {
  int replica = 0;
  int gpus = 0;  // of that replica, which draw alike (0: the summary's gpus_per_replica)
  int first_gpu = 0;  // the platform index of its first GPU
  double energy_j = 0, busy_energy_j = 0, busy_s = 0, throttled_s = 0, max_temp_c = 0;
  bool shutdown_reached = false;
  std::vector<ThermalSample> samples;
  int pool = 0;  // the replica's pool, in the pools' order
};

struct ServingRun {
  RequestBook book;            // every request, once over
  std::vector<SeqState> seqs;  // with ServingOptions::keep_requests: one per request, in stream order
  long long seq_slots = 0;     // request states the run allocated: the most in the system at once
  std::vector<IterationRecord> iterations;
  long long iteration_count = 0;
  long long activities = 0;      // simulated activities (waits) the replicas and the arrivals took
  bool event_queue = false;      // they waited on the event queue (no SimGrid platform); else on SimGrid
  double busy_s = 0;             // GPU-seconds of iterations, all replicas
  double gpu_busy_s = 0;         // the same, each replica's counted once per GPU it has
  std::vector<double> pool_gpu_busy_s;  // gpu_busy_s by pool, in the pools' order
  double model_flops = 0, model_bytes = 0;  // the model's work in every iteration (MFU and MBU numerators)
  double sequences_sum = 0;      // for the mean batch size
  long long preemptions = 0;
  double end_s = 0;              // when the last request finished
  double in_system_integral = 0; // integral of the number of requests in the system over time
  std::vector<GpuEnergy> energy;  // per replica (its GPUs draw alike), when a power setup was given
  bool prefix_cache = false;
  PrefixCacheStats prefix;        // all replicas together
  long long spec_steps = 0, spec_tokens = 0;  // speculative decoding: sequence-steps decoded, tokens emitted
  bool disaggregated = false;     // prefill and decode pools: SeqState::transfer_* are set
  // Inter-token latency as vLLM's benchmark counts it: every gap between two consecutive deliveries of
  // a request's tokens (a speculative step's tokens arrive together: one gap).
  LogHistogram itl;
};

using IterationCostFn = std::function<IterationCostBreakdown(const IterationShape&)>;
// The model's own work in an iteration (MFU and MBU); in a stretch of decode steps it grows linearly
// with the context, so the engine asks it for two steps and sums the rest in closed form.
using IterationWorkFn = std::function<ModelWork(const IterationShape&)>;
// A cost function of a fixed duration (tests, what-ifs).
IterationCostBreakdown fixed_iteration(double seconds);

// Replicas of one kind. Colocated serving has one unified pool; prefill/decode disaggregation has a
// prefill pool (arrivals go there; a sequence leaves once its prompt is prefilled) and a decode pool
// (it receives the sequence's KV over the platform's links, then decodes it).
enum class PoolRole { unified, prefill, decode };
struct ReplicaPool {
  PoolRole role = PoolRole::unified;
  int replicas = 1, gpus_per_replica = 1;
  long long kv_blocks = 0;  // per replica
  IterationCostFn cost;
  IterationWorkFn work;  // empty: no work counted (fixed-cost tests)
  double kv_bytes_per_token_per_gpu = 0;  // decode pool: KV each of a replica's GPUs receives per token
  bool streams = false;  // its iterations stream weights or KV from host memory (links the replicas share)
  // Its own hardware (prefill/decode pools on different GPUs): nodes of `node` with `gpu` cards joined
  // to the run's platform by their networks (null: the run's platform), and their power (null: the run's).
  const NodeSpec* node = nullptr;
  const GpuCard* gpu = nullptr;
  const PowerSetup* power = nullptr;
  double link_Bps = 0, link_latency_s = 0;  // its cluster's link to the run's platform (0: one fabric)
};

// Pools take consecutive GPUs of the platform, in order; a pool on its own hardware takes its own. The requests are read once, in order, as
// they arrive: the run holds the ones in the system (and a few ahead), not the stream.
ServingRun run_serving_pools(const NodeSpec& node, const GpuCard& gpu, const ServingConfig& cfg,
                             const RequestSource& requests, const std::vector<ReplicaPool>& pools,
                             const ServingOptions& opt);
ServingRun run_serving_pools(const NodeSpec& node, const GpuCard& gpu, const ServingConfig& cfg,
                             const std::vector<Request>& requests, const std::vector<ReplicaPool>& pools,
                             const ServingOptions& opt);

// One SimGrid engine per process. `gpus_per_replica` consecutive GPUs of the node serve each replica.
ServingRun run_serving(const NodeSpec& node, const GpuCard& gpu, int gpus_per_replica, const ServingConfig& cfg,
                       const RequestSource& requests, const IterationCostFn& cost, long long kv_blocks_per_replica,
                       const ServingOptions& opt);
ServingRun run_serving(const NodeSpec& node, const GpuCard& gpu, int gpus_per_replica, const ServingConfig& cfg,
                       const std::vector<Request>& requests, const IterationCostFn& cost, long long kv_blocks_per_replica,
                       const ServingOptions& opt);

}  // namespace dssim
