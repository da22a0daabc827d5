#include "model/quant_accuracy.hpp"

#include <filesystem>

#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {
const std::vector<std::string> kSchemes = {"int8_weight_only", "int8_w8a8", "int4_weight_only", "fp8"};

std::string label(const std::string& scheme) {
  if (scheme == "int8_weight_only") return "int8 weight-only";
  if (scheme == "int8_w8a8") return "int8 W8A8";
  if (scheme == "int4_weight_only") return "int4 weight-only";
  return "fp8";
}

std::string scheme_of(Precision w, bool weight_only) {
  switch (w) {
    case Precision::int8: return weight_only ? "int8_weight_only" : "int8_w8a8";
    case Precision::int4: return "int4_weight_only";
    case Precision::fp8: return "fp8";
    default: return "";
  }
}
}  // namespace

std::vector<std::string> quantization_accuracy_notes(const std::string& data_dir, Precision weights, bool weight_only) {
  const std::string path = (std::filesystem::path(data_dir) / "models" / "metadata" / "quantization_accuracy.toml").string();
  if (!std::filesystem::is_regular_file(path)) throw Error(fmt("%s: no such file", path.c_str()));
  auto doc = TomlTable::parse_file(path);
  TomlTable top(*doc, path, "");
  top.allow({"row"});
  top.finish();
  const toml::array* rows = doc->get_as<toml::array>("row");
  if (!rows) throw Error(fmt("%s: needs [[row]] tables", path.c_str()));
  const std::string want = scheme_of(weights, weight_only);
  std::vector<std::string> out;
  for (size_t i = 0; i < rows->size(); ++i) {
    const toml::table* r = (*rows)[i].as_table();
    if (!r) throw Error(fmt("%s: row %zu is not a table", path.c_str(), i + 1));
    TomlTable t(*r, path, fmt("row[%zu]", i + 1));
    const std::string scheme = t.get_choice("scheme", kSchemes);
    const std::string figure = t.get_string("figure");
    const std::string source = t.get_string("source");
    const std::string url = t.get_string("url");
    t.get_choice("kind", {"claim", "paper", "reproduction"});
    t.finish();
    if (scheme == want)
      out.push_back(label(scheme) + ": " + figure + " (" + source + ", " + url + ") -- documented, not simulated");
  }
  return out;
}

}  // namespace dssim
