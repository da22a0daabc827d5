#include "golden_json.hpp"

#include <cctype>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace golden {

namespace {

struct Parser {
  const std::string& s;
  std::size_t i = 0;
  std::vector<Leaf> out;

  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error(std::string("JSON: ") + what + " at offset " + std::to_string(i));
  }
  void ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  std::string string_token() {
    const std::size_t start = i++;
    while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
    if (i >= s.size()) fail("unterminated string");
    ++i;
    return s.substr(start, i - start);
  }
  void value(const std::string& path) {
    ws();
    if (i >= s.size()) fail("unexpected end");
    const char c = s[i];
    if (c == '{') {
      ++i;
      ws();
      if (i < s.size() && s[i] == '}') { ++i; out.push_back({path, "{}", std::nullopt}); return; }
      while (true) {
        ws();
        if (i >= s.size() || s[i] != '"') fail("expected a key");
        std::string key = string_token();
        key = key.substr(1, key.size() - 2);
        ws();
        if (i >= s.size() || s[i] != ':') fail("expected ':'");
        ++i;
        value(path.empty() ? key : path + "." + key);
        ws();
        if (i < s.size() && s[i] == ',') { ++i; continue; }
        if (i < s.size() && s[i] == '}') { ++i; return; }
        fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      ++i;
      ws();
      if (i < s.size() && s[i] == ']') { ++i; out.push_back({path, "[]", std::nullopt}); return; }
      for (int n = 0;; ++n) {
        value(path + "[" + std::to_string(n) + "]");
        ws();
        if (i < s.size() && s[i] == ',') { ++i; continue; }
        if (i < s.size() && s[i] == ']') { ++i; return; }
        fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      out.push_back({path, string_token(), std::nullopt});
      return;
    }
    const std::size_t start = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '-' || s[i] == '+' || s[i] == '.')) ++i;
    if (i == start) fail("unexpected character");
    const std::string tok = s.substr(start, i - start);
    if (tok == "true" || tok == "false" || tok == "null") {
      out.push_back({path, tok, std::nullopt});
      return;
    }
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(tok, &used);
    } catch (const std::exception&) {
      fail("bad number");
    }
    if (used != tok.size()) fail("bad number");
    out.push_back({path, tok, v});
  }
};

}  // namespace

std::vector<Leaf> flatten_json(const std::string& json) {
  Parser p{json};
  p.value("");
  p.ws();
  if (p.i != json.size()) p.fail("text after the value");
  return p.out;
}

double relative_change(double old_value, double new_value) {
  if (old_value == new_value) return 0;
  if (old_value == 0) return std::numeric_limits<double>::infinity();
  return new_value / old_value - 1;
}

bool same_within(const std::vector<Leaf>& a, const std::vector<Leaf>& b, double rel_tol) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k].path != b[k].path) return false;
    if (a[k].number && b[k].number) {
      const double x = *a[k].number, y = *b[k].number;
      if (std::fabs(x - y) > rel_tol * std::max(std::fabs(x), std::fabs(y))) return false;
    } else if (a[k].text != b[k].text) {
      return false;
    }
  }
  return true;
}

}  // namespace golden
