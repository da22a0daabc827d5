#pragma once
// The distinct linear-layer shapes (N, K) of a model card, as the microbenchmarks time them.
#include <string>
#include <vector>

#include "config/model_card.hpp"
#include "config/precision.hpp"

namespace dssim {

struct GemmShape {
  std::string layer;  // "<model id>_<op name>"
  long long n = 0, k = 0;
};

// One decode step's and one prefill's GEMMs on one tensor-parallel rank, each (N, K) once, in model
// order. Throws (naming the valid values) when `tensor_parallel` does not divide the model.
std::vector<GemmShape> model_gemm_shapes(const ModelCard& m, int tensor_parallel, Precision weights);

}  // namespace dssim
