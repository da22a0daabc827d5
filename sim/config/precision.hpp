#pragma once
#include <string>
#include <vector>

namespace dssim {

// Storage / compute precisions a user can name.
enum class Precision { fp32, tf32, bf16, fp16, fp8, int8, int4 };

Precision parse_precision(const std::string& name, const std::string& where);
// The same, limited to what can be stored: weights (not tf32, a compute mode) and the KV cache
// (fp32, bf16, fp16, fp8, int8: no int4 KV cache is modelled).
Precision parse_weight_precision(const std::string& name, const std::string& where);
Precision parse_kv_precision(const std::string& name, const std::string& where);
std::string to_string(Precision p);
std::vector<std::string> precision_names();
// Bytes per stored element. int4 includes one fp16 scale per group of 128 (GPTQ/AWQ style), fp8 and
// int8 weights carry per-channel scales (negligible).
double bytes_per_element(Precision p);

}  // namespace dssim
