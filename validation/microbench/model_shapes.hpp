// dssim CUDA microbenchmarks: `--model ID [--tp N]`, a model card's GEMM shapes as `dssim shapes`
// prints them, so the suite times exactly the shapes the simulator prices.
#pragma once

#include <string>
#include <vector>

namespace mb {

struct NamedShape {
  std::string layer;
  long long n, k;
};

// False, with the reason on stderr, for an unknown model or a TP that does not divide it.
bool model_card_shapes(const std::string& model, int tp, std::vector<NamedShape>& out);

}  // namespace mb
