#include "config/toml_table.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "config/toml_guard.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::shared_ptr<toml::table> TomlTable::parse_file(const std::string& path) {
  if (!std::filesystem::exists(path)) throw Error(fmt("%s: no such file", path.c_str()));
  if (std::filesystem::is_directory(path)) throw Error(fmt("%s: is a directory, expected a TOML file", path.c_str()));
  // a FIFO or a device would block or never end: only regular files are read
  if (!std::filesystem::is_regular_file(path)) throw Error(fmt("%s: not a regular file, expected a TOML file", path.c_str()));
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) throw Error(fmt("%s: cannot be read", path.c_str()));
  if (const auto hazard = toml_text_hazard(text)) throw Error(fmt("%s:%s", path.c_str(), hazard->c_str()));
  try {
    return std::make_shared<toml::table>(toml::parse(text, path));
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    throw Error(fmt("%s:%u:%u: TOML syntax error: %s", path.c_str(), static_cast<unsigned>(src.begin.line),
                    static_cast<unsigned>(src.begin.column), std::string(e.description()).c_str()));
  }
}

TomlTable::TomlTable(const toml::table& table, std::string file, std::string prefix)
    : table_(&table), file_(std::move(file)), prefix_(std::move(prefix)) {}

int TomlTable::line_of(const std::string& key) const {
  const toml::node* n = table_->get(key);
  if (n) return static_cast<int>(n->source().begin.line);
  return static_cast<int>(table_->source().begin.line);
}

std::string TomlTable::where(const std::string& key) const {
  std::string full = prefix_.empty() ? key : prefix_ + "." + key;
  int line = line_of(key);
  if (line <= 0) return fmt("%s: key '%s' (from --set)", file_.c_str(), full.c_str());
  return fmt("%s:%d: key '%s'", file_.c_str(), line, full.c_str());
}

bool TomlTable::has(const std::string& key) const { return table_->contains(key); }

bool TomlTable::is_table(const std::string& key) const {
  const toml::node* n = table_->get(key);
  return n && n->is_table();
}

const toml::node* TomlTable::node(const std::string& key) {
  known_.insert(key);
  return table_->get(key);
}

void TomlTable::type_error(const std::string& key, const std::string& expected) const {
  const toml::node* n = table_->get(key);
  std::string got = "nothing";
  if (n) {
    std::ostringstream s;
    n->visit([&s](auto&& v) { s << v; });
    got = s.str();
  }
  throw Error(fmt("%s: expected %s, got %s", where(key).c_str(), expected.c_str(), got.c_str()));
}

std::optional<std::string> TomlTable::opt_string(const std::string& key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_string()) type_error(key, "a string");
  return std::string(*n->value<std::string_view>());
}

std::string TomlTable::get_string(const std::string& key) {
  auto v = opt_string(key);
  if (!v) throw Error(fmt("%s: missing required key '%s' (a string) in %s", file_.c_str(), key.c_str(),
                          prefix_.empty() ? "the top level" : ("[" + prefix_ + "]").c_str()));
  return *v;
}

std::optional<double> TomlTable::opt_number(const std::string& key, double min_value, double max_value) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_number()) type_error(key, fmt("a number in [%g, %g]", min_value, max_value));
  double v = n->is_integer() ? static_cast<double>(*n->value<int64_t>()) : *n->value<double>();
  if (!std::isfinite(v) || v < min_value || v > max_value)
    throw Error(fmt("%s: expected a number in [%g, %g], got %g", where(key).c_str(), min_value, max_value, v));
  return v;
}

double TomlTable::get_number(const std::string& key, double min_value, double max_value) {
  auto v = opt_number(key, min_value, max_value);
  if (!v) throw Error(fmt("%s: missing required key '%s' (a number) in %s", file_.c_str(), key.c_str(),
                          prefix_.empty() ? "the top level" : ("[" + prefix_ + "]").c_str()));
  return *v;
}

std::optional<long long> TomlTable::opt_int(const std::string& key, long long min_value, long long max_value) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_integer()) type_error(key, fmt("an integer in [%lld, %lld]", min_value, max_value));
  long long v = *n->value<int64_t>();
  if (v < min_value || v > max_value)
    throw Error(fmt("%s: expected an integer in [%lld, %lld], got %lld", where(key).c_str(), min_value, max_value, v));
  return v;
}

long long TomlTable::get_int(const std::string& key, long long min_value, long long max_value) {
  auto v = opt_int(key, min_value, max_value);
  if (!v) throw Error(fmt("%s: missing required key '%s' (an integer) in %s", file_.c_str(), key.c_str(),
                          prefix_.empty() ? "the top level" : ("[" + prefix_ + "]").c_str()));
  return *v;
}

std::optional<bool> TomlTable::opt_bool(const std::string& key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_boolean()) type_error(key, "true or false");
  return *n->value<bool>();
}

bool TomlTable::get_bool(const std::string& key) {
  auto v = opt_bool(key);
  if (!v) throw Error(fmt("%s: missing required key '%s' (true or false)", file_.c_str(), key.c_str()));
  return *v;
}

std::string TomlTable::get_choice(const std::string& key, const std::vector<std::string>& allowed) {
  std::string v = get_string(key);
  for (const auto& a : allowed)
    if (a == v) return v;
  std::string hint = closest(v, allowed);
  throw Error(fmt("%s: '%s' is not one of %s%s", where(key).c_str(), v.c_str(), join(allowed, ", ").c_str(),
                  hint.empty() ? "" : fmt(" (did you mean '%s'?)", hint.c_str()).c_str()));
}

std::optional<TomlTable> TomlTable::opt_table(const std::string& key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_table()) type_error(key, "a table");
  return TomlTable(*n->as_table(), file_, prefix_.empty() ? key : prefix_ + "." + key);
}

TomlTable TomlTable::get_table(const std::string& key) {
  auto t = opt_table(key);
  if (!t) throw Error(fmt("%s: missing required table [%s]", file_.c_str(),
                          (prefix_.empty() ? key : prefix_ + "." + key).c_str()));
  return *t;
}

const std::string& TomlTable::checked(const Key& k) const {
  if (k.table != prefix_)
    throw Error(fmt("internal: key '%s' read from table [%s]", k.path().c_str(), prefix_.c_str()), ExitCode::internal);
  return k.name;
}

long long TomlTable::get_int(const Key& k) {
  return get_int(checked(k), static_cast<long long>(k.min), static_cast<long long>(k.max));
}
std::optional<long long> TomlTable::opt_int(const Key& k) {
  return opt_int(checked(k), static_cast<long long>(k.min), static_cast<long long>(k.max));
}
double TomlTable::get_number(const Key& k) { return get_number(checked(k), k.min, k.max); }
std::optional<double> TomlTable::opt_number(const Key& k) { return opt_number(checked(k), k.min, k.max); }
std::string TomlTable::get_string(const Key& k) { return get_string(checked(k)); }
std::optional<std::string> TomlTable::opt_string(const Key& k) { return opt_string(checked(k)); }
bool TomlTable::get_bool(const Key& k) { return get_bool(checked(k)); }
std::optional<bool> TomlTable::opt_bool(const Key& k) { return opt_bool(checked(k)); }
std::string TomlTable::get_choice(const Key& k) { return get_choice(checked(k), k.choices); }
std::optional<std::string> TomlTable::opt_choice(const Key& k) {
  if (!has(checked(k))) {
    known_.insert(k.name);
    return std::nullopt;
  }
  return get_choice(k);
}

std::optional<std::vector<long long>> TomlTable::opt_int_list(const Key& k) {
  const toml::node* n = node(checked(k));
  if (!n) return std::nullopt;
  const auto lo = static_cast<long long>(k.min), hi = static_cast<long long>(k.max);
  if (!n->is_array()) type_error(k.name, k.expected());
  std::vector<long long> v;
  for (const toml::node& x : *n->as_array()) {
    if (!x.is_integer()) type_error(k.name, k.expected());
    const long long i = *x.value<int64_t>();
    if (i < lo || i > hi)
      throw Error(fmt("%s: expected %s, got %lld", where(k.name).c_str(), k.expected().c_str(), i));
    v.push_back(i);
  }
  return v;
}

std::vector<std::string> TomlTable::get_string_list(const std::string& key) {
  const toml::node* n = node(key);
  if (!n)
    throw Error(fmt("%s: missing required key '%s' (an array of strings) in %s", file_.c_str(), key.c_str(),
                    prefix_.empty() ? "the top level" : ("[" + prefix_ + "]").c_str()));
  if (!n->is_array() || n->as_array()->empty()) type_error(key, "a non-empty array of strings");
  std::vector<std::string> v;
  for (const toml::node& x : *n->as_array()) {
    if (!x.is_string() || x.value<std::string>()->empty()) type_error(key, "a non-empty array of strings");
    v.push_back(*x.value<std::string>());
  }
  return v;
}

void TomlTable::allow(const std::vector<std::string>& keys) { known_.insert(keys.begin(), keys.end()); }

void TomlTable::finish() const {
  std::vector<std::string> known(known_.begin(), known_.end());
  for (auto&& [k, v] : *table_) {
    std::string key(k.str());
    if (known_.count(key)) continue;
    std::string hint = closest(key, known);
    std::string full = prefix_.empty() ? key : prefix_ + "." + key;
    const unsigned line = static_cast<unsigned>(v.source().begin.line);
    // A declared key of another kind or policy: say where it applies instead of guessing a spelling.
    std::vector<std::string> applies;
    for (const Key* d : declared_keys())
      if (d->table == prefix_ && d->name == key && !d->when.empty()) applies.push_back(d->when);
    if (!applies.empty())
      throw Error(fmt("%s%s: key '%s' does not apply here: it is for %s", file_.c_str(),
                      line ? fmt(":%u", line).c_str() : " (--set)", full.c_str(), join(applies, ", or ").c_str()));
    throw Error(fmt("%s%s: unknown key '%s'%s", file_.c_str(), line ? fmt(":%u", line).c_str() : " (--set)",
                    full.c_str(),
                    hint.empty() ? fmt("; valid keys here: %s", join(known, ", ").c_str()).c_str()
                                 : fmt("; did you mean '%s'?", hint.c_str()).c_str()));
  }
}

void apply_override(toml::table& doc, const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(fmt("--set '%s': expected section.key=value", assignment.c_str()));
  std::string path = trim(assignment.substr(0, eq));
  std::string value = trim(assignment.substr(eq + 1));
  auto parts = split(path, '.');
  toml::table* t = &doc;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    toml::node* n = t->get(parts[i]);
    if (!n) {
      t->insert(parts[i], toml::table{});
      n = t->get(parts[i]);
    }
    if (!n->is_table()) throw Error(fmt("--set '%s': '%s' is not a table", assignment.c_str(), parts[i].c_str()));
    t = n->as_table();
  }
  toml::table parsed;
  try {
    // what the TOML reader would mishandle (toml_guard.hpp) is no TOML value: a bare word
    if (toml_text_hazard("v = " + value)) throw toml::parse_error("", toml::source_region{});
    parsed = toml::parse("v = " + value);
  } catch (const toml::parse_error&) {
    parsed = toml::table{{"v", value}};  // a bare word: take it as a string
  }
  t->insert_or_assign(parts.back(), *parsed.get("v"));
}

}  // namespace dssim
