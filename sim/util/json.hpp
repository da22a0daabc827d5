#pragma once
// dssim's JSON output: a streaming builder (begin/value/end, in the order a report reads) over
// nlohmann::ordered_json, which keeps the keys in that order and does the escaping and the number
// printing. Every document a run prints starts with the envelope of docs/json.md (begin_document).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace dssim {

class JsonWriter {
 public:
  using json = nlohmann::ordered_json;

  // The envelope every printed document shares: {"dssim_version", "kind", ...}; see docs/json.md.
  JsonWriter& begin_document(const std::string& kind);
  JsonWriter& begin_object(const std::string& key = "") { return open(key, json::object()); }
  JsonWriter& end_object() { return close(true); }
  JsonWriter& begin_array(const std::string& key = "") { return open(key, json::array()); }
  JsonWriter& end_array() { return close(false); }
  JsonWriter& value(const std::string& key, double v) { return put(key, number(v)); }
  JsonWriter& value(const std::string& key, long long v) { return put(key, json(v)); }
  JsonWriter& value(const std::string& key, int v) { return put(key, json(static_cast<long long>(v))); }
  JsonWriter& value(const std::string& key, bool v) { return put(key, json(v)); }
  JsonWriter& value(const std::string& key, const std::string& v) { return put(key, json(v)); }
  JsonWriter& value(const std::string& key, const char* v) { return put(key, json(std::string(v))); }
  JsonWriter& null(const std::string& key) { return put(key, json(nullptr)); }
  // The document, two-space indented; bytes that are not UTF-8 (a file name, a user's string) print as
  // U+FFFD instead of failing.
  std::string str() const {
    if (!open_.empty()) throw Error("internal: a JSON object or array was left open", ExitCode::internal);
    return root_.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  }

  // A number as dssim prints it: a whole number (bytes, dollars, tokens), and anything from 1e10 up
  // (where 10 significant digits would drop units), as an integer with every digit while it is exact
  // (below 2^53); other values to 10 significant digits (an integer when that rounds to one); NaN and
  // infinities as null.
  static json number(double v) {
    constexpr double kExact = 9007199254740992.0;  // 2^53
    if (!std::isfinite(v)) return json(nullptr);
    if (std::fabs(v) < kExact && (v == std::floor(v) || std::fabs(v) >= 1e10)) return json(std::llround(v));
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    const double r = std::strtod(buf, nullptr);
    if (std::fabs(r) < kExact && r == std::floor(r)) return json(std::llround(r));  // 1409.99999999: 1410, not 1410.0
    return json(r);
  }

 private:
  JsonWriter& open(const std::string& key, json empty) {
    json& slot = insert(key, std::move(empty));
    open_.push_back(&slot);
    return *this;
  }
  JsonWriter& close(bool object) {
    if (open_.empty() || open_.back()->is_object() != object)
      throw Error("internal: a JSON end_object/end_array does not match its begin", ExitCode::internal);
    open_.pop_back();
    return *this;
  }
  JsonWriter& put(const std::string& key, json v) {
    insert(key, std::move(v));
    return *this;
  }
  // Where the next value goes: the root, the open array's end, or the open object's `key`. Pointers to
  // open containers stay valid: only the innermost one grows.
  json& insert(const std::string& key, json v) {
    if (open_.empty()) {
      if (started_) throw Error("internal: a second JSON document in one writer", ExitCode::internal);
      started_ = true;
      root_ = std::move(v);
      return root_;
    }
    json& c = *open_.back();
    if (c.is_array()) {
      c.push_back(std::move(v));
      return c.back();
    }
    if (key.empty() || c.contains(key))
      throw Error("internal: JSON key '" + key + "' empty or written twice", ExitCode::internal);
    c[key] = std::move(v);
    return c[key];
  }
  json root_;
  std::vector<json*> open_;
  bool started_ = false;
};

}  // namespace dssim
