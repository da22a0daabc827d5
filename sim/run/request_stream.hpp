#pragma once
// A request stream: requests from a workload through replicas of one model on the platform.
#include <optional>
#include <string>
#include <vector>

#include "timing/iteration_cost.hpp"
#include "serving/serving_metrics.hpp"
#include "run/fixed_batch.hpp"
#include "run/run_inputs.hpp"

namespace dssim {

struct ServingPrediction {
  MemoryBreakdown memory;  // per GPU, with the KV pool as the free space the cache takes
  bool fits = false;
  std::vector<std::string> suggestions, warnings;
  long long kv_blocks = 0;   // per replica (GPU and, with KV offload, host blocks)
  long long host_kv_blocks = 0;  // of which in host memory (KV offload)
  double kv_pool_bytes = 0;  // per GPU
  long long iteration_tokens = 0;  // the largest iteration the activations are sized for
  int offloaded_layers = 0;        // weight offload: layers streamed from host memory every iteration
  // Prefill/decode disaggregation: the fields above are the prefill pool's, these the decode pool's.
  bool disaggregated = false, decode_does_not_fit = false;
  ParallelLayout prefill_layout, decode_layout;
  MemoryBreakdown decode_memory;
  // ... and with [decode_platform], the decode GPUs' own peaks, efficiencies, power and cooling
  UtilisationPeaks decode_peaks, prefill_peaks;
  std::string decode_calibration, decode_power_source, decode_cooling;
  double decode_power_limit_w = 0;
  long long decode_kv_blocks = 0;
  double decode_kv_pool_bytes = 0;
  std::string drafter;             // speculative decoding: what drafts ("" when off)
  double drafter_weight_bytes = 0; // per GPU, included in memory.weights
  ServingRun run;
  ServingSummary summary;
  std::string calibration;
  UtilisationPeaks peaks;  // per GPU: what MFU and MBU divide by
  AchievedRates achieved;  // the run's model work per busy GPU-second, and its MFU / MBU
  std::string power_source, cooling;   // where the power model and the cooling came from
  double power_limit_w = 0;
};

// KV offload in serving: the running sequences' cache fills the GPUs first; an iteration reads the tokens
// it attends to beyond `gpu_tokens` from host memory, `bytes_per_token` each per GPU.
double host_kv_read_bytes(const IterationShape& s, double gpu_tokens, double bytes_per_token);
// The memory plan (KV pool from what the weights and the largest iteration leave), then the request
// stream through the replicas on the SimGrid platform, paced by `power` when it is given.
ServingPrediction predict_serving(const RunInputs& in, const PowerSetup* power);

}  // namespace dssim
