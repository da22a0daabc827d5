#pragma once
#include <optional>
#include <string>

#include "workload/lengths.hpp"
#include "workload/synthetic.hpp"
#include "workload/trace_reader.hpp"

namespace dssim {

// Where the requests come from: a fixed batch (the core's one-shot prediction), synthetic arrivals,
// or a trace file.
struct WorkloadSpec {
  enum class Kind { fixed, poisson, gamma, trace, gemm_burn, copy_burn } kind = Kind::fixed;
  // fixed: one batch of equal sequences
  int batch = 1;
  long long prompt_tokens = 512, output_tokens = 128;
  std::optional<long long> context;  // KV tokens at the reported decode step (default: the prompt)
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
  long long hash_block_tokens = 512;  // trace: tokens per prefix hash
};

class TomlTable;
// Reads [workload] (every key declared in workload/workload_spec.cpp); `base_dir` resolves trace and
// empirical-length files against the scenario's folder.
WorkloadSpec read_workload(TomlTable& w, const std::string& base_dir);

}  // namespace dssim
