#pragma once
// One inference request of a workload: when it arrives and how many tokens it reads and writes.

namespace dssim {

struct Request {
  long long id = 0;             // 0..n-1 in arrival order
  double arrival_s = 0;         // seconds from the start of the workload
  long long prompt_tokens = 0;  // >= 1
  long long output_tokens = 0;  // >= 1
};

}  // namespace dssim
