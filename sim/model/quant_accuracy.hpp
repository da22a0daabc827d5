#pragma once
// Quantisation accuracy as documented metadata (models/metadata/quantization_accuracy.toml): the figures people
// quote for int8 / int4 / fp8 weights, with their sources. dssim does not simulate accuracy.
#include <string>
#include <vector>

#include "config/precision.hpp"

namespace dssim {

// Human lines "int8 weight-only: <figure> (<source>, <url>) -- documented, not simulated" for the rows
// that match the weights: int8 with weight_only -> int8 weight-only (W8A16), int8 without -> int8 W8A8,
// int4 -> int4 weight-only (always), fp8 -> fp8. Any other precision gives no lines. Throws dssim::Error
// when the file is missing or malformed (unknown keys and schemes included).
std::vector<std::string> quantization_accuracy_notes(const std::string& data_dir, Precision weights, bool weight_only);

}  // namespace dssim
