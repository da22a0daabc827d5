#include "workload/workload_spec.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>

#include "config/keys.hpp"
#include "config/toml_table.hpp"

namespace dssim {

namespace {

constexpr double kMaxTokens = 1LL << 30;
const std::vector<std::string> kKinds{"fixed", "poisson", "gamma", "trace", "gemm-burn", "copy-burn"};

using T = Key::Type;
const Key& kKind = declare_key({"workload", "kind", T::choice, 0, 0, kKinds, "", "fixed", "where the requests come from: one fixed batch, synthetic arrivals, a trace file, or a sustained-load burn", ""});
// fixed
const Key& kBatch = declare_key({"workload", "batch", T::integer, 1, 1 << 20, {}, "sequences", "required", "sequences in the batch", "kind = fixed"});
const Key& kPrompt = declare_key({"workload", "prompt_tokens", T::integer, 1, kMaxTokens, {}, "tokens", "required", "prompt length of every sequence", "kind = fixed"});
const Key& kOutput = declare_key({"workload", "output_tokens", T::integer, 1, kMaxTokens, {}, "tokens", "required", "tokens generated per sequence", "kind = fixed"});
const Key& kContext = declare_key({"workload", "context", T::integer, 1, kMaxTokens, {}, "tokens", "prompt_tokens", "KV length of the decode step the report shows", "kind = fixed"});
// burns
const Key& kM = declare_key({"workload", "m", T::integer, 1, 1 << 20, {}, "rows", "required", "GEMM C[m,n] = A[m,k] W[k,n]: rows", "kind = gemm-burn"});
const Key& kN = declare_key({"workload", "n", T::integer, 1, 1 << 20, {}, "columns", "required", "GEMM columns", "kind = gemm-burn"});
const Key& kK = declare_key({"workload", "k", T::integer, 1, 1 << 20, {}, "", "required", "GEMM inner dimension", "kind = gemm-burn"});
const Key& kDtype = declare_key({"workload", "dtype", T::choice, 0, 0, {"bf16", "fp16", "fp8", "int8", "tf32", "fp32"}, "", "required", "GEMM precision", "kind = gemm-burn"});
const Key& kGemmDuration = declare_key({"workload", "duration_s", T::number, 0.1, 3600, {}, "s", "required", "how long the burn runs", "kind = gemm-burn"});
const Key& kBytes = declare_key({"workload", "bytes", T::number, 1, 1e13, {}, "bytes", "required", "size of each device copy", "kind = copy-burn"});
const Key& kCopyDuration = declare_key({"workload", "duration_s", T::number, 0.1, 3600, {}, "s", "required", "how long the burn runs", "kind = copy-burn"});
// trace
const Key& kFile = declare_key({"workload", "file", T::text, 0, 0, {}, "path", "required", "trace file, relative to the scenario's folder", "kind = trace"});
const Key& kFormat = declare_key({"workload", "format", T::choice, 0, 0, {"azure", "mooncake", "dssim"}, "", "required", "trace format", "kind = trace"});
const Key& kRateScale = declare_key({"workload", "rate_scale", T::number, 1e-9, 1e9, {}, "", "1", "arrivals divided by this (2: twice the traffic)", "kind = trace"});
const Key& kStart = declare_key({"workload", "start_s", T::number, 0, 1e12, {}, "s", "0", "window start after the trace's first request", "kind = trace"});
const Key& kDuration = declare_key({"workload", "duration_s", T::number, 0, 1e12, {}, "s", "to the end", "window length", "kind = trace"});
const Key& kMaxRequests = declare_key({"workload", "max_requests", T::integer, 1, 1e8, {}, "requests", "all", "at most this many requests of the window", "kind = trace"});
const Key& kHashBlock = declare_key({"workload", "hash_block_tokens", T::integer, 1, 1 << 24, {}, "tokens", "512", "tokens each of the trace's prefix hashes covers (Mooncake: 512)", "kind = trace"});
// synthetic
const Key& kRate = declare_key({"workload", "rate_per_s", T::number, 1e-9, 1e9, {}, "requests/s", "required", "mean arrival rate", "kind = poisson | gamma"});
const Key& kRequests = declare_key({"workload", "requests", T::integer, 1, 1e8, {}, "requests", "required", "requests to draw (each takes ~100 bytes while it runs)", "kind = poisson | gamma"});
const Key& kSeed = declare_key({"workload", "seed", T::integer, 0, 9e18, {}, "", "1", "random seed (same seed, same requests)", "kind = poisson | gamma"});
const Key& kCv = declare_key({"workload", "cv", T::number, 1e-6, 1e3, {}, "", "required", "coefficient of variation of inter-arrival times (1: Poisson)", "kind = gamma"});
const Key& kPromptDist = declare_key({"workload", "prompt_tokens", T::table, 0, 0, {}, "tokens", "required", "an integer, or a length distribution table (below)", "kind = poisson | gamma"});
const Key& kOutputDist = declare_key({"workload", "output_tokens", T::table, 0, 0, {}, "tokens", "required", "an integer, or a length distribution table (below)", "kind = poisson | gamma"});
// length distributions: [workload.prompt_tokens] and [workload.output_tokens]
struct LengthKeys {
  const Key &dist, &value, &min, &max, &median, &sigma, &lmin, &lmax, &file, &format;
};
LengthKeys length_keys(const std::string& table) {
  const std::string u = "tokens";
  return {declare_key({table, "dist", T::choice, 0, 0, {"fixed", "uniform", "lognormal", "empirical"}, "", "required", "the distribution", ""}),
          declare_key({table, "value", T::integer, 1, kMaxTokens, {}, u, "required", "every length", "dist = fixed"}),
          declare_key({table, "min", T::integer, 1, kMaxTokens, {}, u, "required", "shortest (inclusive)", "dist = uniform"}),
          declare_key({table, "max", T::integer, 1, kMaxTokens, {}, u, "required", "longest (inclusive, >= min)", "dist = uniform"}),
          declare_key({table, "median", T::number, 1, 1e9, {}, u, "required", "median of exp(ln median + sigma N(0,1))", "dist = lognormal"}),
          declare_key({table, "sigma", T::number, 0, 10, {}, "", "required", "spread of the log", "dist = lognormal"}),
          declare_key({table, "min", T::integer, 1, kMaxTokens, {}, u, "1", "clamp below", "dist = lognormal"}),
          declare_key({table, "max", T::integer, 1, kMaxTokens, {}, u, "no clamp", "clamp above (>= min)", "dist = lognormal"}),
          declare_key({table, "file", T::text, 0, 0, {}, "path", "required", "trace whose lengths are drawn from, relative to the scenario", "dist = empirical"}),
          declare_key({table, "format", T::choice, 0, 0, {"azure", "mooncake", "dssim"}, "", "required", "that trace's format", "dist = empirical"})};
}
const LengthKeys kPromptLen = length_keys("workload.prompt_tokens");
const LengthKeys kOutputLen = length_keys("workload.output_tokens");

LengthDist read_length(TomlTable& w, const Key& scalar, const LengthKeys& lk, const std::string& base_dir, bool prompt) {
  LengthDist d;
  if (!w.is_table(scalar.name)) {
    d.kind = LengthDist::Kind::fixed;
    d.value = w.get_int(scalar.name, 1, static_cast<long long>(kMaxTokens));
    return d;
  }
  TomlTable t = w.get_table(scalar.name);
  const std::string dist = t.get_choice(lk.dist);
  if (dist == "fixed") {
    d.value = t.get_int(lk.value);
  } else if (dist == "uniform") {
    d.kind = LengthDist::Kind::uniform;
    d.min = t.get_int(lk.min);
    d.max = t.get_int(lk.max.name, d.min, static_cast<long long>(lk.max.max));
  } else if (dist == "lognormal") {
    d.kind = LengthDist::Kind::lognormal;
    d.median = t.get_number(lk.median);
    d.sigma = t.get_number(lk.sigma);
    d.min = t.opt_int(lk.lmin).value_or(1);
    d.max = t.opt_int(lk.lmax.name, d.min, static_cast<long long>(lk.lmax.max)).value_or(0);
  } else {
    d.kind = LengthDist::Kind::empirical;
    const std::string file = t.get_string(lk.file);
    const TraceFormat f = parse_trace_format(t.get_choice(lk.format), t.where(lk.format.name));
    d.samples = trace_lengths((std::filesystem::path(base_dir) / file).string(), f, prompt);
  }
  t.finish();
  return d;
}

}  // namespace

WorkloadSpec read_workload(TomlTable& w, const std::string& base) {
  WorkloadSpec k;
  const std::string kind = w.opt_choice(kKind).value_or("fixed");
  k.kind = static_cast<WorkloadSpec::Kind>(std::find(kKinds.begin(), kKinds.end(), kind) - kKinds.begin());
  switch (k.kind) {
    case WorkloadSpec::Kind::fixed:
      k.batch = static_cast<int>(w.get_int(kBatch));
      k.prompt_tokens = w.get_int(kPrompt);
      k.output_tokens = w.get_int(kOutput);
      if (auto c = w.opt_int(kContext)) k.context = *c;
      break;
    case WorkloadSpec::Kind::gemm_burn:
      k.burn_m = w.get_int(kM);
      k.burn_n = w.get_int(kN);
      k.burn_k = w.get_int(kK);
      k.burn_dtype = w.get_choice(kDtype);
      k.burn_duration_s = w.get_number(kGemmDuration);
      break;
    case WorkloadSpec::Kind::copy_burn:
      k.burn_bytes = w.get_number(kBytes);
      k.burn_duration_s = w.get_number(kCopyDuration);
      break;
    case WorkloadSpec::Kind::trace:
      k.trace_file = (std::filesystem::path(base) / w.get_string(kFile)).lexically_normal().string();
      k.trace_format = parse_trace_format(w.get_choice(kFormat), w.where(kFormat.name));
      k.trace.rate_scale = w.opt_number(kRateScale).value_or(1.0);
      k.trace.start_s = w.opt_number(kStart).value_or(0.0);
      k.trace.duration_s = w.opt_number(kDuration).value_or(-1.0);
      k.trace.max_requests = w.opt_int(kMaxRequests).value_or(-1);
      k.hash_block_tokens = w.opt_int(kHashBlock).value_or(k.hash_block_tokens);
      break;
    case WorkloadSpec::Kind::poisson:
    case WorkloadSpec::Kind::gamma:
      k.arrivals.kind = k.kind == WorkloadSpec::Kind::poisson ? ArrivalSpec::Kind::poisson : ArrivalSpec::Kind::gamma;
      k.arrivals.rate_per_s = w.get_number(kRate);
      k.arrivals.requests = w.get_int(kRequests);
      k.arrivals.seed = static_cast<std::uint64_t>(w.opt_int(kSeed).value_or(1));
      if (k.kind == WorkloadSpec::Kind::gamma) k.arrivals.cv = w.get_number(kCv);
      k.prompt = read_length(w, kPromptDist, kPromptLen, base, true);
      k.output = read_length(w, kOutputDist, kOutputLen, base, false);
      break;
  }
  return k;
}

}  // namespace dssim
