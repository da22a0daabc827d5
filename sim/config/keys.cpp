#include "config/keys.hpp"

#include <algorithm>
#include <deque>
#include <cmath>
#include <tuple>
#include <sstream>
#include <stdexcept>

#include "util/strings.hpp"

namespace dssim {

namespace {

// A deque: the references declare_key hands out stay valid as more keys are declared.
std::deque<Key>& key_registry() {
  static std::deque<Key> keys;
  return keys;
}

std::string bound(double v) {
  if (std::fabs(v) < 1e15 && v == std::floor(v)) return fmt("%lld", static_cast<long long>(v));
  return fmt("%g", v);
}

const char* type_name(Key::Type t) {
  switch (t) {
    case Key::Type::integer: return "integer";
    case Key::Type::number: return "number";
    case Key::Type::text: return "string";
    case Key::Type::boolean: return "true/false";
    case Key::Type::choice: return "choice";
    case Key::Type::table: return "table";
    case Key::Type::integer_list: return "integers";
  }
  return "";
}

}  // namespace

std::string Key::expected() const {
  switch (type) {
    case Type::integer: return fmt("an integer in [%lld, %lld]", static_cast<long long>(min), static_cast<long long>(max));
    case Type::number: return fmt("a number in [%g, %g]", min, max);
    case Type::text: return "a string";
    case Type::boolean: return "true or false";
    case Type::choice: return "one of " + join(choices, ", ");
    case Type::table: return "a table";
    case Type::integer_list: return fmt("a list of integers in [%lld, %lld]", static_cast<long long>(min), static_cast<long long>(max));
  }
  return "";
}

const Key& declare_key(Key k) {
  auto& r = key_registry();
  for (const Key& x : r)
    if (x.table == k.table && x.name == k.name && x.when == k.when)
      throw std::logic_error("scenario key declared twice: " + k.path());
  r.push_back(std::move(k));
  return r.back();
}

std::vector<const Key*> declared_keys() {
  std::vector<const Key*> v;
  for (const Key& k : key_registry()) v.push_back(&k);
  std::sort(v.begin(), v.end(), [](const Key* a, const Key* b) {
    return std::tie(a->table, a->name, a->when) < std::tie(b->table, b->name, b->when);
  });
  return v;
}

std::string keys_reference(bool markdown) {
  std::ostringstream o;
  std::string table = "\x01";
  for (const Key* k : declared_keys()) {
    std::string range;
    if (k->type == Key::Type::integer || k->type == Key::Type::number || k->type == Key::Type::integer_list)
      range = fmt("%s .. %s", bound(k->min).c_str(), bound(k->max).c_str());
    else if (k->type == Key::Type::choice)
      range = join(k->choices, " | ");
    const std::string type = std::string(type_name(k->type)) + (k->unit.empty() ? "" : " (" + k->unit + ")");
    const std::string help = k->help + (k->when.empty() ? "" : " [" + k->when + "]");
    if (markdown) {
      if (k->table != table) {
        table = k->table;
        o << "\n### " << (table.empty() ? "top level" : "[" + table + "]") << "\n\n"
          << "| key | type | range | when absent | what |\n| --- | --- | --- | --- | --- |\n";
      }
      // A '|' inside a cell (choices "on | off", "[when a | b]") would split it into two columns.
      auto cell = [](std::string t) {
        for (std::size_t p = t.find('|'); p != std::string::npos; p = t.find('|', p + 2)) t.replace(p, 1, "\\|");
        return t;
      };
      o << "| `" << k->name << "` | " << cell(type) << " | " << cell(range) << " | " << cell(k->fallback) << " | "
        << cell(help) << " |\n";
    } else {
      if (k->table != table) {
        table = k->table;
        o << (o.tellp() > 0 ? "\n" : "") << (table.empty() ? "top level" : "[" + table + "]") << "\n";
      }
      o << fmt("  %-22s %-22s %-26s %-18s %s\n", k->name.c_str(), type.c_str(), range.c_str(), k->fallback.c_str(),
               help.c_str());
    }
  }
  return o.str();
}

}  // namespace dssim
