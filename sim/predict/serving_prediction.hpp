#pragma once
// A serving study: requests from a workload through replicas of one model on the platform.
#include <optional>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"
#include "timing/iteration_cost.hpp"
#include "serving/serving_metrics.hpp"
#include "predict/prediction.hpp"

namespace dssim {

struct ServingInput {
  PredictInput base;  // model, GPU, node, runtime, precisions, CUDA graphs, tensor parallel
  ServingConfig serving;
  WorkloadSpec workload;
  ServingOptions options;
  double ambient_c = 25;
  std::string cooling;                 // empty: the GPU card's `cooling`
  std::optional<double> power_limit_w; // empty: the GPU's limit
  bool record_thermal = false;         // samples for --thermal-csv
};

struct ServingPrediction {
  MemoryBreakdown memory;  // per GPU, with the KV pool as the free space the cache takes
  bool fits = false;
  std::vector<std::string> suggestions, warnings;
  long long kv_blocks = 0;   // per replica (GPU and, with KV offload, host blocks)
  long long host_kv_blocks = 0;  // of which in host memory (KV offload)
  double kv_pool_bytes = 0;  // per GPU
  long long iteration_tokens = 0;  // the largest iteration the activations are sized for
  int offloaded_layers = 0;        // weight offload: layers streamed from host memory every iteration
  ServingRun run;
  ServingSummary summary;
  std::string calibration;
  std::string power_source, cooling;   // where the power model and the cooling came from
  double power_limit_w = 0;
};

std::vector<Request> load_requests(const WorkloadSpec& w);
// KV offload in serving: the running sequences' cache fills the GPUs first; an iteration reads the tokens
// it attends to beyond `gpu_tokens` from host memory, `bytes_per_token` each per GPU.
double host_kv_read_bytes(const IterationShape& s, double gpu_tokens, double bytes_per_token);
ServingPrediction predict_serving(const ServingInput& in, const std::vector<Request>& requests, const Catalog& catalog);

}  // namespace dssim
