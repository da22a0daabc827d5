#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/precision.hpp"
#include "config/runtime_profile.hpp"
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
};

// Where the requests come from: a fixed batch (the core's one-shot prediction), synthetic arrivals,
// or a trace file.
struct WorkloadSpec {
  enum class Kind { fixed, poisson, gamma, trace } kind = Kind::fixed;
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
  int max_batch = 1;
  bool cuda_graphs = true;
  int tensor_parallel = 1;
  std::string runtime = kDefaultRuntime;
  int batch = 1;
  long long prompt_tokens = 512;
  long long output_tokens = 128;
  std::optional<long long> context;  // KV tokens at the reported decode step (default: prompt)
  std::optional<CostInputs> cost;
  WorkloadSpec workload;
  ServingConfig serving;
  bool serving_run() const { return workload.kind != WorkloadSpec::Kind::fixed; }
};

// Reads a scenario file, applying `--set section.key=value` overrides first.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace dssim
