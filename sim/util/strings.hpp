#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace dssim {

std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` (edit distance), or "" when none is reasonably close.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// "WHERE: unknown WHAT 'NAME'; expected one of A, B, C (did you mean 'B'?)" for a name of a closed set.
std::string unknown_name(const std::string& what, const std::string& name, const std::string& where,
                         const std::vector<std::string>& known);
std::vector<std::string> split(std::string_view s, char sep);
std::string trim(std::string_view s);
// printf-style formatting into a std::string (g++ 12 has no <format>).
std::string fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));
// Human-readable sizes and durations for reports.
std::string human_bytes(double bytes);
std::string human_seconds(double s);
// "$2.297" with `decimals` digits, or "n/a" for an undefined (non-finite) figure.
std::string usd(double v, int decimals = 3);
// "191.3 %", or "n/a".
std::string percent(double v);
// "%.9g" for a CSV cell; "" for an undefined figure.
std::string csv_number(double v);
// Text for a gnuplot double-quoted literal: quotes, backslashes and line breaks dropped.
std::string gnuplot_text(const std::string& s);

}  // namespace dssim
