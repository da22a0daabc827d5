#include "model/precision_notes.hpp"

#include "model/operators.hpp"
#include "util/strings.hpp"

namespace dssim {

std::vector<std::string> precision_notes(const GpuCard& gpu, Precision weights, bool weight_only) {
  std::vector<std::string> out;
  const std::string act = to_string(activation_precision(weights, gpu));
  if (weights == Precision::bf16 && activation_precision(weights, gpu) != Precision::bf16)
    // vLLM stops there ("Bfloat16 is only supported on GPUs with compute capability of at least 8.0";
    // its message suggests --dtype=half), so a bf16 checkpoint is served in fp16 on these GPUs
    out.push_back(fmt("bf16 on %s: it has no bf16 tensor cores (%s), so weights and activations run in fp16, as "
                      "engines need there (vLLM: --dtype half)",
                      gpu.id.c_str(), gpu.architecture.c_str()));
  if (!gpu.weight_only_gemm(weights, weight_only)) return out;  // 16-bit and 32-bit weights never are
  const std::string w = to_string(weights);
  if (weights == Precision::int4)
    out.push_back(fmt("int4 weights run weight-only (W4A16, AWQ/GPTQ-style kernels): dequantised into %s GEMMs; "
                      "no int4 tensor-core GEMM is modelled",
                      act.c_str()));
  else if (gpu.compute_precision(weights) != weights)
    out.push_back(fmt("%s weights on %s: it has no %s tensor cores, so they run weight-only (W8A16): dequantised into "
                      "%s GEMMs at the %s rate, reading 1 byte a weight%s",
                      w.c_str(), gpu.id.c_str(), w.c_str(), act.c_str(), act.c_str(),
                      weights == Precision::fp8 ? " (as vLLM's Marlin fp8 kernels on Ampere)" : ""));
  else
    out.push_back(fmt("%s weights run weight-only (W8A16), as asked: dequantised into %s GEMMs at the %s rate",
                      w.c_str(), act.c_str(), act.c_str()));
  return out;
}

}  // namespace dssim
