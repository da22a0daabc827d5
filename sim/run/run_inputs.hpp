#pragma once
// Everything one run needs, read from files and checked once by run/resolve before any model code
// runs: the cards, the efficiencies the GPU is priced with, the cooling and power environment, the
// workload (requests drawn or read), the money. A run never opens a file.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/accuracy_bands.hpp"
#include "comm/collectives.hpp"
#include "config/gpu_card.hpp"
#include "config/model_card.hpp"
#include "config/node_spec.hpp"
#include "config/runtime_profile.hpp"
#include "finance/cost_inputs.hpp"
#include "finance/pricing.hpp"
#include "serving/slo.hpp"
#include "parallel/layout.hpp"
#include "power/thermal.hpp"
#include "profile/gpu_profile.hpp"
#include "serving/request_book.hpp"
#include "serving/serving_config.hpp"
#include "scenario/engine_command.hpp"
#include "workload/request.hpp"
#include "workload/request_source.hpp"
#include "workload/workload_spec.hpp"

namespace dssim {

enum class RunKind { fixed_batch, request_stream, burn };

// The most GPUs one platform may have (nodes x GPUs per node): beyond it building and simulating the
// platform takes minutes and gigabytes, and no deployment dssim is meant for is that large.
inline constexpr int kMaxPlatformGpus = 4096;

// [environment]: the room and cooling around the GPUs, and what limits their power.
struct Environment {
  double ambient_c = 25;
  CoolingProfile cooling;               // the scenario's, else the one the GPU card names
  std::optional<double> power_limit_w;  // empty: the GPU's own limit
  // false (power_model = "off"): clocks stay at their maximum and nothing paces the work; fixed
  // batches then run as before the power observer, for comparison.
  bool power_model = true;
};

// The model on its hardware: resolved cards, precisions, layout, efficiencies and environment, and the
// batch shape of a fixed-batch run.
struct PredictInput {
  ModelCard model;
  GpuCard gpu;
  NodeSpec node;
  RuntimeProfile runtime;
  GpuProfile profile;  // the efficiencies the GPU is priced with (its own, or a donor's)
  Environment env;
  Precision weights = Precision::bf16, kv_cache = Precision::bf16;
  int batch = 1;
  long long prompt = 512, output = 128, context = 512;
  bool cuda_graphs = true;
  bool weight_only = false;
  ParallelLayout parallel;
  comm::AllReduceAlgo allreduce = comm::AllReduceAlgo::automatic;
  // may the weights / KV cache that do not fit live in host memory (streamed over PCIe)?
  bool offload_weights = false, offload_kv = false;
  int gpu_layers = -1;         // [memory] gpu_layers: decoder layers kept on each GPU; -1: as many as fit
  bool pageable_host = false;  // [memory] host_memory = "pageable"
  bool cxl_host = false;       // [memory] host_memory = "cxl": offload from the node's CXL expanders
  double host_memory_bytes = 0;  // per node, for offload ([memory] host_memory_gib); 0: the node file's
  // quantised weights: published accuracy figures (documented metadata, not simulated)
  std::vector<std::string> accuracy_notes;
  // how the GPU runs these precisions where that is not what their names say (model/precision_notes)
  std::vector<std::string> precision_notes;
};

class KernelCostModel;
// The kernel costs a model's forward runs at on `in.gpu`: its efficiencies, each kernel's extra GPU
// time inside a forward (the runtime's kernel_in_model) and the pace of its strided element-wise kernels.
KernelCostModel model_kernel_costs(const PredictInput& in);

// What the caller wants kept beyond the summary.
struct RunOptions {
  bool record_iterations = false;  // request streams: every iteration, for --timeline
  bool record_thermal = false;     // power samples, for --thermal-csv
  bool progress = false;           // request streams: progress on stderr
  bool coalesce = true;            // request streams: repeating decode steps as one activity
  bool event_queue = true;         // request streams that share no link: waits on the event queue, not SimGrid
  // request streams: exact percentiles (every latency kept) or histograms (memory that does not grow
  // with the trace); see serving/request_book
  PercentileMode percentiles = PercentileMode::exact;
  bool keep_requests = false;      // request streams: a copy of every request's state (--timeline)
  std::string requests_csv;        // request streams: the per-request CSV, written during the run
};

struct RunInputs {
  RunKind kind = RunKind::fixed_batch;
  std::string title, description;
  std::string scenario_file;           // the scenario's path (empty for dssim predict)
  std::vector<std::string> overrides;  // --set assignments applied to the scenario file
  PredictInput base;
  // Prefill/decode disaggregation on two kinds of hardware ([decode_platform]): the decode pool's GPU,
  // node, efficiencies and environment, the rest as `base`; the prefill pool then runs on `base`.
  std::optional<PredictInput> decode_base;
  double decode_link_Bps = 0, decode_link_latency_s = 0;  // the decode cluster's link to the prefill one (0: one fabric)
  // Every GPU the deployment has (both platforms), and every node's host draw.
  int total_gpus() const { return base.node.total_gpus() + (decode_base ? decode_base->node.total_gpus() : 0); }
  double host_power_w() const {
    return base.node.platform_host_power_w() + (decode_base ? decode_base->node.platform_host_power_w() : 0.0);
  }
  ServingConfig serving;          // request streams
  std::optional<ModelCard> draft_model;  // request streams with speculative = "draft"
  Precision draft_weights = Precision::bf16;
  WorkloadSpec workload;          // request streams and burns
  // request streams: where the requests come from (read once from a trace, or drawn on every pass)
  std::shared_ptr<const RequestSource> requests;
  std::string workload_summary;   // request streams: where the requests came from, in one line
  SloTargets slo;                          // what the report's verdict checks
  std::optional<CostInputs> cost;         // [cost] priced for this platform (NaN where no price is known)
  std::vector<PriceSource> price_sources;  // where each price came from
  std::vector<std::string> price_missing;  // why a price is n/a, and what would supply it
  std::vector<std::string> price_excluded; // cost lines counted as 0 for want of a price
  RunOptions options;
  AccuracyBands bands;  // validation residuals per class of figure: the bands on the headline figures
  std::optional<EngineCommand> engine;  // [engine]: the launch command the settings came from
};

}  // namespace dssim
