#include "config/precision.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::vector<std::string> precision_names() { return {"fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4"}; }

Precision parse_precision(const std::string& name, const std::string& where) {
  static const Precision all[] = {Precision::fp32, Precision::tf32, Precision::bf16, Precision::fp16,
                                  Precision::fp8,  Precision::int8, Precision::int4};
  for (Precision p : all)
    if (to_string(p) == name) return p;
  std::string hint = closest(name, precision_names());
  throw Error(fmt("%s: unknown precision '%s'; expected one of %s%s", where.c_str(), name.c_str(),
                  join(precision_names(), ", ").c_str(),
                  hint.empty() ? "" : fmt(" (did you mean '%s'?)", hint.c_str()).c_str()));
}

Precision parse_weight_precision(const std::string& name, const std::string& where) {
  const Precision p = parse_precision(name, where);
  if (p == Precision::tf32) throw Error(fmt("%s: tf32 is a compute mode, not a storage format; use fp32", where.c_str()));
  return p;
}

Precision parse_kv_precision(const std::string& name, const std::string& where) {
  const Precision p = parse_precision(name, where);
  if (p == Precision::tf32 || p == Precision::int4)
    throw Error(fmt("%s: KV cache precision must be fp32, bf16, fp16, fp8 or int8, not %s", where.c_str(), name.c_str()));
  return p;
}

std::string to_string(Precision p) {
  switch (p) {
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::bf16: return "bf16";
    case Precision::fp16: return "fp16";
    case Precision::fp8: return "fp8";
    case Precision::int8: return "int8";
    case Precision::int4: return "int4";
  }
  return "?";
}

double bytes_per_element(Precision p) {
  switch (p) {
    case Precision::fp32:
    case Precision::tf32: return 4.0;
    case Precision::bf16:
    case Precision::fp16: return 2.0;
    case Precision::fp8:
    case Precision::int8: return 1.0;
    case Precision::int4: return 0.5 + 2.0 / 128.0;
  }
  return 2.0;
}

}  // namespace dssim
