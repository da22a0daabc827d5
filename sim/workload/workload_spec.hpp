#pragma once
#include <string>

#include "workload/lengths.hpp"
#include "workload/synthetic.hpp"
#include "workload/trace_reader.hpp"

namespace dssim {

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

}  // namespace dssim
