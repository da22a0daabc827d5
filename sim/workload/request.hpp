#pragma once
// One inference request of a workload: when it arrives and how many tokens it reads and writes.

#include <cstdint>
#include <vector>

namespace dssim {

struct Request {
  long long id = 0;             // 0..n-1 in arrival order
  double arrival_s = 0;         // seconds from the start of the workload
  long long prompt_tokens = 0;  // >= 1
  long long output_tokens = 0;  // >= 1
  // Hashes of the prompt's prefix blocks (Mooncake's hash_ids): equal hashes, equal prefixes up to the
  // end of that block. Empty: the trace does not say.
  std::vector<std::uint64_t> hash_ids;
};

}  // namespace dssim
