#include "util/strings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace dssim {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Beyond half the word's length the suggestion is noise rather than help.
  if (best_d == std::string::npos || best_d > std::max<std::size_t>(2, word.size() / 2)) return "";
  return best;
}

std::string unknown_name(const std::string& what, const std::string& name, const std::string& where,
                         const std::vector<std::string>& known) {
  const std::string hint = closest(name, known);
  return fmt("%s: unknown %s '%s'; expected one of %s%s", where.c_str(), what.c_str(), name.c_str(), join(known, ", ").c_str(),
             hint.empty() ? "" : fmt(" (did you mean '%s'?)", hint.c_str()).c_str());
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string fmt(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string out(static_cast<std::size_t>(std::max(n, 0)), '\0');
  std::vsnprintf(out.data(), out.size() + 1, format, args);
  va_end(args);
  return out;
}

std::string human_bytes(double bytes) {
  const double gib = 1024.0 * 1024.0 * 1024.0;
  if (std::fabs(bytes) >= gib) return fmt("%.2f GiB", bytes / gib);
  if (std::fabs(bytes) >= 1024.0 * 1024.0) return fmt("%.1f MiB", bytes / (1024.0 * 1024.0));
  return fmt("%.0f B", bytes);
}

std::string human_seconds(double s) {
  if (s >= 1.0) return fmt("%.3f s", s);
  if (s >= 1e-3) return fmt("%.2f ms", s * 1e3);
  return fmt("%.1f us", s * 1e6);
}

std::string usd(double v, int decimals) { return std::isfinite(v) ? fmt("$%.*f", decimals, v) : "n/a"; }

std::string percent(double v) { return std::isfinite(v) ? fmt("%.1f %%", v) : "n/a"; }

std::string gnuplot_text(const std::string& s) {
  std::string o;
  for (char c : s)
    if (c != '"' && c != '\\' && c != '\n' && c != '\r' && c != '\'') o += c;
  return o;
}

std::string csv_number(double v) { return std::isfinite(v) ? fmt("%.9g", v) : ""; }

}  // namespace dssim
