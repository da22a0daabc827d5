#include "line_diff.hpp"

#include <algorithm>

namespace golden {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string line_diff(const std::string& old_text, const std::string& new_text, std::size_t max_lines) {
  if (old_text == new_text) return "";
  const auto a = split_lines(old_text), b = split_lines(new_text);
  // Longest common subsequence by dynamic programming: outputs are at most a few thousand lines.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<unsigned>> l(n + 1, std::vector<unsigned>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;) l[i][j] = a[i] == b[j] ? l[i + 1][j + 1] + 1 : std::max(l[i + 1][j], l[i][j + 1]);
  struct Op { char tag; std::string line; std::size_t old_no; };
  std::vector<Op> ops;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) { ops.push_back({' ', a[i], i + 1}); ++i; ++j; }
    else if (i < n && (j == m || l[i + 1][j] >= l[i][j + 1])) { ops.push_back({'-', a[i], i + 1}); ++i; }
    else { ops.push_back({'+', b[j], i + 1}); ++j; }
  }
  std::string out;
  std::size_t shown = 0, last = 0;
  bool any = false;
  for (std::size_t k = 0; k < ops.size() && shown < max_lines; ++k) {
    const bool near = (k > 0 && ops[k - 1].tag != ' ') || (k + 1 < ops.size() && ops[k + 1].tag != ' ');
    if (ops[k].tag == ' ' && !near) continue;
    if (any && k > last + 1) out += "  ...\n";
    out += (ops[k].tag == ' ' ? "  " : std::string(1, ops[k].tag) + " ") + ops[k].line + "\n";
    any = true;
    last = k;
    ++shown;
  }
  if (shown >= max_lines) out += "  ... (diff cut at " + std::to_string(max_lines) + " lines)\n";
  return out;
}

}  // namespace golden
