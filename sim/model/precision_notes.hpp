#pragma once
// How a GPU runs the precisions a run asks for, where that is not what their names say: the report
// prints these beside the run so that a price is never quietly the price of something else.
#include <string>
#include <vector>

#include "config/gpu_card.hpp"

namespace dssim {

// One line per case, empty when the GPU runs the precisions as named:
//   - bf16 on a GPU without bf16 tensor cores (Turing, Volta) runs in fp16;
//   - fp8 or int8 weights on a GPU without those tensor cores are dequantised into 16-bit GEMMs;
//   - int8 or fp8 weights asked weight-only (W8A16), and int4 weights always (W4A16).
std::vector<std::string> precision_notes(const GpuCard& gpu, Precision weights, bool weight_only);

}  // namespace dssim
