// dssim CUDA microbenchmarks: the GEMM shapes to time. Host code only (no CUDA headers), so the
// C++ compiler builds it and `--list-shapes` needs no GPU.
#pragma once

#include <istream>
#include <string>
#include <vector>

namespace mb {

struct Shape {
  std::string layer;
  long long n, k;
};

// The shapes of the shipped H200 data (validation/data/h200/gemm.csv).
std::vector<Shape> default_gemm_shapes();
// CSV with the header `layer,N,K`; blank lines and lines starting with '#' are ignored. `source` names
// the input in messages. False, with the reason on stderr, on a malformed row.
bool parse_shapes_csv(std::istream& in, const std::string& source, std::vector<Shape>& out);
// --model-shapes FILE
bool read_model_shapes(const std::string& path, std::vector<Shape>& out);
// --model ID [--tp N]: the card's GEMM shapes as `dssim shapes` prints them, so the suite times exactly
// the shapes the simulator prices. False, with the reason on stderr, for an unknown model or a TP that
// does not divide it.
bool model_card_shapes(const std::string& model, int tp, std::vector<Shape>& out);

}  // namespace mb
