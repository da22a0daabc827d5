#include "config/toml_guard.hpp"

#include "util/strings.hpp"

namespace dssim {

std::optional<std::string> toml_text_hazard(std::string_view s) {
  std::size_t line = 1, line_start = 0;
  auto at = [&](std::size_t i, const char* what) {
    return fmt("%zu:%zu: %s", line, i - line_start + 1, what);
  };
  auto newline = [&](std::size_t i) {
    ++line;
    line_start = i + 1;
  };
  auto starts = [&](std::size_t i, std::string_view tok) { return s.substr(i, tok.size()) == tok; };
  const auto non_ascii = [](char c) { return static_cast<unsigned char>(c) >= 0x80; };
  // A quote opens a string only where TOML lets one stand (a key at a line's start, after '.', a value
  // after '=', '[', ',' or '{'). A bare value (a number, date, boolean, or garbage) is one token to
  // toml++ up to a space, newline, ',', ']', '}' or '#': it asks whether each of its characters is
  // whitespace, quotes and '=' included.
  char prev = '\n';           // the last character outside strings and comments that is not a space or tab
  std::string containers;     // open '[' (array), 'h' (table header) and '{' (inline table)
  bool value_token = false;   // inside a bare value
  const auto ends_token = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ']' || c == '}' || c == '#';
  };
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (value_token) {
      if (!ends_token(c)) {
        if (non_ascii(c)) return at(i, "a non-ASCII character outside a string or comment");
        ++i;
        continue;
      }
      value_token = false;
      prev = 'v';  // a value ended: no string may follow before a delimiter
    }
    const bool in_array = !containers.empty() && containers.back() == '[';
    const bool string_may_start = prev == '\n' || prev == '=' || prev == '[' || prev == ',' || prev == '{' || prev == '.';
    if (c != '"' && c != '\'' && c != '[' && c != '{' && !ends_token(c) &&
        (prev == '=' || (in_array && (prev == '[' || prev == ',')))) {
      value_token = true;
      continue;
    }
    if (c == '[') containers.push_back(prev == '\n' || (prev == '[' && !containers.empty() && containers.back() == 'h') ? 'h' : '[');
    if (c == '{') containers.push_back('{');
    if ((c == ']' || c == '}') && !containers.empty()) containers.pop_back();
    if (c == '\n') {
      prev = '\n';
      newline(i++);
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '#') {  // a comment, to the end of the line
      while (i < s.size() && s[i] != '\n') ++i;
    } else if ((c == '"' || c == '\'') && string_may_start) {
      prev = c;
      const bool multi = starts(i, c == '"' ? "\"\"\"" : "'''");
      const std::string_view close = multi ? (c == '"' ? "\"\"\"" : "'''") : std::string_view(&s[i], 1);
      i += multi ? 3 : 1;
      while (i < s.size() && !starts(i, close)) {
        if (s[i] == '\n') {
          if (!multi) break;  // an unterminated single-line string: the parser reports it
          newline(i);
        } else if (s[i] == '\\' && c == '"') {
          // toml++ asks whether what follows a backslash is whitespace (a line-ending backslash)
          std::size_t j = i + 1;
          while (j < s.size() && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n')) {
            if (s[j] == '\n') newline(j);
            ++j;
          }
          if (j < s.size() && non_ascii(s[j]))
            return at(j, "a non-ASCII character right after a backslash in a string: write it as \\uXXXX "
                         "(the TOML reader mishandles it)");
          i = j == i + 1 ? i + 2 : j;  // an escape pair, or past the trimmed whitespace
          continue;
        }
        ++i;
      }
      if (i < s.size() && starts(i, close)) i += close.size();
    } else if (non_ascii(c)) {
      return at(i, "a non-ASCII character outside a string or comment");
    } else {
      prev = c;
      ++i;
    }
  }
  return std::nullopt;
}

}  // namespace dssim
