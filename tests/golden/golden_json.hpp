#pragma once
// dssim's JSON output flattened to (path, value) pairs, for comparing numbers with a tolerance and
// listing which figures moved. Enough JSON for what dssim writes; a parse error names the offset.
#include <optional>
#include <string>
#include <vector>

namespace golden {

struct Leaf {
  std::string path;   // "memory.weights_bytes", "requests[3].ttft_s"
  std::string text;   // the value as written ("1.5e+10", "\"bf16\"", "true", "null")
  std::optional<double> number;
};

// Throws std::runtime_error on malformed JSON.
std::vector<Leaf> flatten_json(const std::string& json);

// Equal when the paths match and every number is within `rel_tol` (relative to the larger magnitude)
// and every other value is identical.
bool same_within(const std::vector<Leaf>& a, const std::vector<Leaf>& b, double rel_tol);

// Relative change new/old - 1 of a figure; +inf when old is 0 and new is not.
double relative_change(double old_value, double new_value);

}  // namespace golden
