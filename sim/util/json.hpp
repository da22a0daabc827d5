#pragma once
// A minimal JSON writer: enough for reports (objects, arrays, numbers, strings, booleans, null).
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace dssim {

class JsonWriter {
 public:
  JsonWriter& begin_object(const std::string& key = "") { open(key, '{'); return *this; }
  JsonWriter& end_object() { close('}'); return *this; }
  JsonWriter& begin_array(const std::string& key = "") { open(key, '['); return *this; }
  JsonWriter& end_array() { close(']'); return *this; }
  JsonWriter& value(const std::string& key, double v) {
    prefix(key);
    if (!std::isfinite(v)) {
      out_ << "null";
    } else if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
      out_ << static_cast<long long>(v);  // a whole number (bytes, dollars, tokens) as an integer, every digit
    } else {
      std::ostringstream s;
      s.precision(10);
      s << v;
      out_ << s.str();
    }
    return *this;
  }
  JsonWriter& value(const std::string& key, long long v) { prefix(key); out_ << v; return *this; }
  JsonWriter& value(const std::string& key, int v) { return value(key, static_cast<long long>(v)); }
  JsonWriter& value(const std::string& key, bool v) { prefix(key); out_ << (v ? "true" : "false"); return *this; }
  JsonWriter& value(const std::string& key, const std::string& v) { prefix(key); quote(v); return *this; }
  JsonWriter& value(const std::string& key, const char* v) { return value(key, std::string(v)); }
  JsonWriter& null(const std::string& key) { prefix(key); out_ << "null"; return *this; }
  std::string str() const { return out_.str() + "\n"; }

 private:
  void open(const std::string& key, char c) { prefix(key); out_ << c; first_.push_back(true); }
  void close(char c) {
    first_.pop_back();
    out_ << "\n" << std::string(2 * first_.size(), ' ') << c;
  }
  void prefix(const std::string& key) {
    if (!first_.empty()) {
      if (!first_.back()) out_ << ",";
      first_.back() = false;
      out_ << "\n" << std::string(2 * first_.size(), ' ');
    }
    if (!key.empty()) {
      quote(key);
      out_ << ": ";
    }
  }
  void quote(const std::string& s) {
    out_ << '"';
    for (char ch : s) {
      switch (ch) {
        case '"': out_ << "\\\""; break;
        case '\\': out_ << "\\\\"; break;
        case '\n': out_ << "\\n"; break;
        case '\t': out_ << "\\t"; break;
        default:
          if (static_cast<unsigned char>(ch) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", ch);
            out_ << buf;
          } else {
            out_ << ch;
          }
      }
    }
    out_ << '"';
  }
  std::ostringstream out_;
  std::vector<bool> first_;
};

}  // namespace dssim
