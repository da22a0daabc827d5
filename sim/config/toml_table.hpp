#pragma once
// Strict access to one TOML table: every read is typed and range-checked, and finish() rejects keys
// that were never asked for, naming the file, the line and the closest valid key. This is what makes
// a misspelled key an error instead of a silent default.
#include <toml++/toml.h>

#include "config/keys.hpp"

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dssim {

class TomlTable {
 public:
  // Parses `path`; a syntax error becomes an Error naming the file, line and column.
  static std::shared_ptr<toml::table> parse_file(const std::string& path);

  TomlTable(const toml::table& table, std::string file, std::string prefix);

  bool has(const std::string& key) const;
  bool is_table(const std::string& key) const;
  std::string get_string(const std::string& key);
  std::optional<std::string> opt_string(const std::string& key);
  double get_number(const std::string& key, double min_value, double max_value);
  std::optional<double> opt_number(const std::string& key, double min_value, double max_value);
  long long get_int(const std::string& key, long long min_value, long long max_value);
  std::optional<long long> opt_int(const std::string& key, long long min_value, long long max_value);
  bool get_bool(const std::string& key);
  std::optional<bool> opt_bool(const std::string& key);
  // A string that must be one of `allowed`.
  std::string get_choice(const std::string& key, const std::vector<std::string>& allowed);
  // Reads of declared keys (config/keys.hpp): type and range from the declaration.
  long long get_int(const Key& k);
  std::optional<long long> opt_int(const Key& k);
  double get_number(const Key& k);
  std::optional<double> opt_number(const Key& k);
  std::string get_string(const Key& k);
  std::optional<std::string> opt_string(const Key& k);
  bool get_bool(const Key& k);
  std::optional<bool> opt_bool(const Key& k);
  std::string get_choice(const Key& k);
  std::optional<std::string> opt_choice(const Key& k);
  std::optional<std::vector<long long>> opt_int_list(const Key& k);
  // A non-empty array of non-empty strings.
  std::vector<std::string> get_string_list(const std::string& key);
  std::optional<TomlTable> opt_table(const std::string& key);
  TomlTable get_table(const std::string& key);
  // Declares keys as known without reading them (for tables read by another component).
  void allow(const std::vector<std::string>& keys);
  // Throws on the first key never asked for.
  void finish() const;

  const std::string& file() const { return file_; }
  // "file:line: key 'prefix.key'" for messages about a value that parsed but makes no sense.
  std::string where(const std::string& key) const;
  int line_of(const std::string& key) const;

 private:
  const toml::node* node(const std::string& key);
  const std::string& checked(const Key& k) const;  // k.name, after checking k belongs to this table
  [[noreturn]] void type_error(const std::string& key, const std::string& expected) const;

  const toml::table* table_;
  std::string file_;
  std::string prefix_;
  std::set<std::string> known_;
};

// Applies `section.key=value` overrides (from --set) to a parsed document; the value is parsed as TOML
// (so 8, 0.5, true and "text" keep their types; a bare word is taken as a string).
void apply_override(toml::table& doc, const std::string& assignment);

}  // namespace dssim
