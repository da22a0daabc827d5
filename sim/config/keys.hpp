#pragma once
// Every scenario key is declared once, next to the code that reads it: its table, type, unit, range,
// what holds when it is absent, and one line of help. Reads go through the declaration (TomlTable's
// Key overloads), so the range in an error message, `dssim help keys` and docs/cli.md's key reference
// all come from the same line.
#include <string>
#include <vector>

namespace dssim {

struct Key {
  enum class Type { integer, number, text, boolean, choice, table, integer_list };
  std::string table;  // the TOML table it sits in: "serving", "workload.prompt_tokens"; "" at the top
  std::string name;
  Type type = Type::text;
  double min = 0, max = 0;            // integer and number
  std::vector<std::string> choices;   // choice
  std::string unit;                   // "tokens", "W", "s" ... ("" for none)
  std::string fallback;               // what holds when the key is absent; "required" when it must be there
  std::string help;                   // one line
  std::string when;                   // where it applies ("kind = trace", "policy = chunked"); "" everywhere
  std::string path() const { return table.empty() ? name : table + "." + name; }
  // "an integer in [1, 1048576]", "one of ring, tree, auto", ...
  std::string expected() const;
};

// For namespace-scope statics: `static const Key& kBatch = declare_key({...});`. Throws on a second
// declaration of the same table, name and `when`.
const Key& declare_key(Key k);
// Every declared key, sorted by table, then name.
std::vector<const Key*> declared_keys();
// The key reference: aligned text (`dssim help keys`) or a Markdown table (docs/cli.md).
std::string keys_reference(bool markdown);

}  // namespace dssim
