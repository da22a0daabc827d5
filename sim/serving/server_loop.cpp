#include "serving/server_loop.hpp"

#include <algorithm>

namespace dssim {

ServerStep server_step(const ServingConfig& c, const IterationShape& s, bool cuda_graphs, IterationShape& padded) {
  ServerStep r;
  r.shape = &s;
  r.after_s = c.step_overhead_s + (s.prefill.empty() ? 0.0 : c.prefill_overhead_s);
  if (!cuda_graphs || !s.prefill.empty() || s.decode == 0) return r;
  if (c.graph_batch_sizes.empty() && c.graph_context_bucket <= 0) return r;
  IterationShape& x = padded;
  x = s;  // a decode-only step: no prefill chunks to copy
  r.shape = &x;
  if (!c.graph_batch_sizes.empty()) {
    const auto it = std::lower_bound(c.graph_batch_sizes.begin(), c.graph_batch_sizes.end(), s.decode);
    if (it == c.graph_batch_sizes.end()) {
      r.graph_allowed = false;  // no graph holds this batch: the step runs eager, unpadded
      r.shape = &s;
      return r;
    }
    const int size = static_cast<int>(*it);
    // padding rows attend like the real ones on average (a bucket below replaces it)
    x.decode_context_sum = s.decode_context_sum / s.decode * size;
    x.decode = size;
  }
  if (c.graph_context_bucket > 0) {
    const long long b = c.graph_context_bucket;
    const long long longest = std::max(s.decode_context_max, 1LL);
    x.decode_context_max = (longest + b - 1) / b * b;
    x.decode_context_sum = static_cast<double>(x.decode) * static_cast<double>(x.decode_context_max);
  }
  return r;
}

}  // namespace dssim
