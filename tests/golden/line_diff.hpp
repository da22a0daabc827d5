#pragma once
#include <string>
#include <vector>

namespace golden {

std::vector<std::string> split_lines(const std::string& text);

// A unified-style diff of two texts ("-old" / "+new" lines with one line of context), at most
// `max_lines` lines; "" when equal.
std::string line_diff(const std::string& old_text, const std::string& new_text, std::size_t max_lines);

}  // namespace golden
