#pragma once
// Replays requests through simulated serving replicas on the SimGrid platform: a generator actor
// injects each request at its arrival time, a router picks a replica, and one actor per replica runs
// the scheduler loop, each iteration one activity on the replica's GPU lasting the iteration cost.
#include <functional>
#include <string>
#include <vector>

#include "config/gpu_card.hpp"
#include "config/node_spec.hpp"
#include "serving/scheduler.hpp"
#include "workload/request.hpp"

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
};

struct ServingRun {
  std::vector<SeqState> seqs;  // one per request, in request order
  std::vector<IterationRecord> iterations;
  long long iteration_count = 0;
  double busy_s = 0;             // GPU-seconds of iterations, all replicas
  double sequences_sum = 0;      // for the mean batch size
  long long preemptions = 0;
  double end_s = 0;              // when the last request finished
  double in_system_integral = 0; // integral of the number of requests in the system over time
  double kv_blocks_per_replica = 0;
};

using IterationCostFn = std::function<double(const IterationShape&)>;

// One SimGrid engine per process. `gpus_per_replica` consecutive GPUs of the node serve each replica.
ServingRun run_serving(const NodeSpec& node, const GpuCard& gpu, int gpus_per_replica, const ServingConfig& cfg,
                       const std::vector<Request>& requests, const IterationCostFn& cost, long long kv_blocks_per_replica,
                       const ServingOptions& opt);

}  // namespace dssim
