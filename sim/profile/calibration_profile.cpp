#include "profile/calibration_profile.hpp"

#include <algorithm>
#include <cmath>

namespace dssim {

double rounded_max(double tc, double tm, double n) {
  const double big = std::max(tc, tm);
  if (big <= 0) return 0;
  return big * std::pow(std::pow(tc / big, n) + std::pow(tm / big, n), 1.0 / n);
}

double gemv_time(const GemmFit& f, double bytes, double memory_bw_Bps) {
  return f.gemv_fixed_s + bytes / (memory_bw_Bps * f.gemv_eff_memory);
}

double rounded_share(double tc, double tm, double n) {
  const double big = std::max(tc, tm);
  if (big <= 0) return 0;
  const double pc = std::pow(tc / big, n);
  return pc / (pc + std::pow(tm / big, n));
}

Precision precision_of_gemm_dtype(const std::string& dtype) {
  if (dtype == "bf16") return Precision::bf16;
  if (dtype == "fp16") return Precision::fp16;
  if (dtype == "fp8") return Precision::fp8;
  if (dtype == "int8") return Precision::int8;
  if (dtype == "tf32") return Precision::tf32;
  return Precision::fp32;
}

std::string gemm_table_dtype(Precision compute) {
  switch (compute) {
    case Precision::bf16: return "bf16";
    case Precision::fp16: return "fp16";
    case Precision::fp8: return "fp8";
    case Precision::int8: return "int8";
    case Precision::tf32: return "tf32";
    default: return "fp32";
  }
}

double gemm_bytes(const std::string& dtype, double m, double n, double k) {
  const bool one = dtype == "fp8" || dtype == "int8";
  const double in = one ? 1 : (dtype == "bf16" || dtype == "fp16") ? 2 : 4;
  const double out = (dtype == "int8" || dtype == "fp32" || dtype == "tf32") ? 4 : 2;
  return (m * k + k * n) * in + m * n * out;
}

}  // namespace dssim
