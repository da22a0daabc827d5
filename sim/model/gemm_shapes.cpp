#include "model/gemm_shapes.hpp"

#include <algorithm>
#include <cmath>

#include "model/operators.hpp"
#include "parallel/layout.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::vector<GemmShape> model_gemm_shapes(const ModelCard& m, int tensor_parallel, Precision weights) {
  if (tensor_parallel < 1) throw Error(fmt("tensor parallel must be at least 1, got %d", tensor_parallel));
  ParallelLayout layout;
  layout.tp = tensor_parallel;
  validate_layout(m, layout, 1, kMaxListedDegree);  // a TP that does not divide the heads or widths has no shapes
  ForwardConfig fc;
  fc.weights = weights;
  fc.layout.tp = tensor_parallel;
  std::vector<GemmShape> shapes;
  for (bool prefill : {false, true})
    for (const Op& op : build_forward(m, fc, ForwardShape{prefill, 1, 1, 1})) {
      if (op.kind != OpKind::gemm) continue;
      GemmShape s{m.id + "_" + op.name, std::llround(op.n), std::llround(op.k)};
      auto same = [&](const GemmShape& t) { return t.layer == s.layer && t.n == s.n && t.k == s.k; };
      if (std::none_of(shapes.begin(), shapes.end(), same)) shapes.push_back(s);
    }
  return shapes;
}

}  // namespace dssim
