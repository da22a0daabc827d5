#pragma once
// A what-if study as written in a scenario file: ids not yet resolved to cards (run/resolve does that).
#include <optional>
#include <string>
#include <vector>

#include "config/precision.hpp"
#include "config/runtime_profile.hpp"
#include "scenario/engine_command.hpp"
#include "finance/cost_inputs.hpp"
#include "serving/slo.hpp"
#include "parallel/layout.hpp"
#include "serving/serving_config.hpp"
#include "workload/workload_spec.hpp"

namespace dssim {

// A platform as a scenario names it: a GPU card in an implied node, or copies of a node file.
struct PlatformChoice {
  std::string gpu, node;  // exactly one is set
  int gpu_count = 1;
  int nodes = 1;
};

struct Scenario {
  std::string file, name, description;
  std::string model;      // a model card id, or empty with hf_config
  std::string hf_config;  // a Hugging Face config.json (resolved against the scenario's folder)
  Precision weights = Precision::bf16;
  Precision kv_cache = Precision::bf16;
  std::string gpu, node;  // exactly one is set
  int gpu_count = 1;
  int nodes = 1;  // copies of the node, joined by its network
  // [decode_platform]: under prefill/decode disaggregation, the decode pool's own GPUs (the prefill
  // pool then runs on [platform]); joined to the platform's nodes by their networks.
  std::optional<PlatformChoice> decode_platform;
  std::optional<double> decode_power_limit_w;
  double decode_link_Gbps = 0;        // [decode_platform] link_Gbps: the clusters' link (0: one fabric)
  double decode_link_latency_us = 0;
  bool weight_only = false;  // [model] weight_only: int8/fp8 weights dequantised into 16-bit GEMMs
  bool sparse24 = false;     // [model] sparsity = "2:4" (a what-if)
  bool cuda_graphs = true;
  ParallelLayout parallel;  // [serving] tensor_/pipeline_/expert_parallel, micro-batches, routing
  // [memory]: what may live in host memory when the GPUs are too small
  bool offload_weights = false, offload_kv = false;
  int gpu_layers = -1;        // decoder layers each GPU keeps (the rest stream); -1: as many as fit
  bool pageable_host = false; // offloaded data in pageable host memory (copied by the CPU), not pinned
  bool cxl_host = false;      // offloaded data in the node's CXL memory expanders
  double host_memory_bytes = 0;  // per node; 0: the node file's host_memory_gib
  std::optional<double> gpu_memory_utilization;  // [memory]: the share of GPU memory the engine may use
  std::optional<EngineCommand> engine;  // [engine]: a launch command, already turned into the keys above
  std::string runtime = kDefaultRuntime;
  std::vector<std::string> overrides;  // --set, as given: the report says the file was changed
  SloTargets slo;  // [slo]
  std::optional<CostSpec> cost;  // [cost] as written; priced in run/resolve for the platform's GPU
  WorkloadSpec workload;
  ServingConfig serving;
  // [environment]: the room and the cooling the GPUs sit in, and an optional power cap (what-if)
  double ambient_c = 25;
  std::string cooling;  // empty: chosen from the GPU's form factor
  std::optional<double> power_limit_w;
  bool power_model = true;  // "off": no power observer (clocks at their maximum), for comparison
  bool burn_run() const { return workload.kind == WorkloadSpec::Kind::gemm_burn || workload.kind == WorkloadSpec::Kind::copy_burn; }
  bool serving_run() const { return workload.kind != WorkloadSpec::Kind::fixed && !burn_run(); }
};

// Reads a scenario file, applying `--set section.key=value` overrides first.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace dssim
