#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/precision.hpp"
#include "config/runtime_profile.hpp"
#include "parallel/layout.hpp"
#include "serving/serving_config.hpp"
#include "workload/lengths.hpp"
#include "workload/synthetic.hpp"
#include "workload/trace_reader.hpp"


namespace dssim {

struct CostInputs {
  double gpu_price_usd = 0;
  double depreciation_months = 36;
  double cloud_usd_per_gpu_hour = 0;
  double electricity_usd_per_kwh = 0.10;
  double pue = 1.5;
  double utilization = 0.5;
  double horizon_months = 36;
  double ops_usd_per_month = 0;      // maintenance, hosting, staff share: every month on-prem
  double refresh_months = 0;         // resale at this month (0: none; the article re-evaluates every 18)
  double residual_fraction = 0;      // of the hardware price, recovered at the refresh
  double financing_apr = 0;          // > 0: the hardware is paid in monthly instalments over the depreciation period
};

// Where the requests come from: a fixed batch (the core's one-shot prediction), synthetic arrivals,
// or a trace file.
struct WorkloadSpec {
  enum class Kind { fixed, poisson, gamma, trace, gemm_burn, copy_burn } kind = Kind::fixed;
  // burns: back-to-back GEMMs C[m,n] = A[m,k] W[k,n] in `dtype`, or device copies of `bytes`
  long long burn_m = 8192, burn_n = 8192, burn_k = 8192;
  std::string burn_dtype = "bf16";
  double burn_bytes = 2147483648.0;
  double burn_duration_s = 30;
  ArrivalSpec arrivals;            // poisson, gamma
  LengthDist prompt, output;       // poisson, gamma
  std::string trace_file;          // trace: resolved against the scenario's folder
  TraceFormat trace_format = TraceFormat::dssim;
  TraceOptions trace;
};

// A what-if study as written in a scenario file (ids not yet resolved to cards).
struct Scenario {
  std::string file, name, description;
  std::string model;
  Precision weights = Precision::bf16;
  Precision kv_cache = Precision::bf16;
  std::string gpu, node;  // exactly one is set
  int gpu_count = 1;
  int nodes = 1;  // copies of the node, joined by its network
  bool weight_only = false;  // [model] weight_only: int8/fp8 weights dequantised into 16-bit GEMMs
  int max_batch = 1;
  bool cuda_graphs = true;
  ParallelLayout parallel;  // [serving] tensor_/pipeline_/expert_parallel, micro-batches, routing
  // [memory]: what may live in host memory when the GPUs are too small
  bool offload_weights = false, offload_kv = false;
  double host_memory_bytes = 0;  // per node; 0: the node file's host_memory_gib
  std::string runtime = kDefaultRuntime;
  int batch = 1;
  long long prompt_tokens = 512;
  long long output_tokens = 128;
  std::optional<long long> context;  // KV tokens at the reported decode step (default: prompt)
  std::optional<CostInputs> cost;
  WorkloadSpec workload;
  ServingConfig serving;
  // [environment]: the room and the cooling the GPUs sit in, and an optional power cap (what-if)
  double ambient_c = 25;
  std::string cooling;  // empty: chosen from the GPU's form factor
  std::optional<double> power_limit_w;
  bool burn_run() const { return workload.kind == WorkloadSpec::Kind::gemm_burn || workload.kind == WorkloadSpec::Kind::copy_burn; }
  bool serving_run() const { return workload.kind != WorkloadSpec::Kind::fixed && !burn_run(); }
};

// Reads a scenario file, applying `--set section.key=value` overrides first.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace dssim
