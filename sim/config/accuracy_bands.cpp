#include "config/accuracy_bands.hpp"

#include <sstream>

#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

const ResidualBand* AccuracyBands::find(const std::string& cls) const {
  auto it = classes.find(cls);
  return it == classes.end() ? nullptr : &it->second;
}

AccuracyBands read_accuracy_bands(const std::string& path) {
  auto doc = TomlTable::parse_file(path);
  TomlTable t(*doc, path, "");
  AccuracyBands b;
  b.confidence = t.get_number("confidence", 0.01, 0.999);
  b.borrowed_widen = t.get_number("borrowed_widen", 0, 10);
  b.borrowed_source = t.get_string("borrowed_source");
  b.moe_slow = t.get_number("moe_slow", 0, 100);
  b.moe_fast = t.get_number("moe_fast", 0, 100);
  b.moe_source = t.get_string("moe_source");
  if (auto cls = t.opt_table("class")) {
    for (auto&& [k, v] : *doc->get("class")->as_table()) {
      const std::string name(k.str());
      TomlTable c = cls->get_table(name);
      ResidualBand r;
      r.n = static_cast<std::size_t>(c.get_int("rows", 1, 1000000));
      r.mean = c.get_number("mean", -1, 100);
      r.sd = c.get_number("sd", 0, 100);
      r.low = c.get_number("low", -100, 100);
      r.high = c.get_number("high", -100, 100);
      if (r.low > r.high) throw Error(fmt("%s: low > high", c.where("low").c_str()));
      b.sources[name] = c.get_string("source");
      c.finish();
      b.classes[name] = r;
    }
  }
  t.finish();
  return b;
}

std::string accuracy_bands_toml(const AccuracyBands& b, const std::string& written_by) {
  std::ostringstream o;
  auto num = [](double v) { return fmt("%.6g", v); };
  o << "# Prediction bands: the interval each class of dssim's figures falls in against real runs, as a residual\n"
    << "# e = predicted / measured - 1 (a measured value lies in [v / (1 + high), v / (1 + low)]).\n"
    << "# Written by `" << written_by << "`; do not edit by hand, re-run it.\n\n";
  o << "confidence = " << num(b.confidence) << "\n";
  o << "borrowed_widen = " << num(b.borrowed_widen) << "      # each side, where a GPU borrows another GPU's efficiencies\n";
  o << "borrowed_source = \"" << b.borrowed_source << "\"\n";
  o << "moe_slow = " << num(b.moe_slow) << "      # a mixture of experts: time bands stretch to [low / (1 + moe_fast), high x (1 + moe_slow)]\n";
  o << "moe_fast = " << num(b.moe_fast) << "\n";
  o << "moe_source = \"" << b.moe_source << "\"\n";
  for (const auto& [name, r] : b.classes) {
    o << "\n[class." << name << "]\n";
    o << "rows = " << r.n << "\n";
    o << "mean = " << num(r.mean) << "\n";
    o << "sd = " << num(r.sd) << "\n";
    o << "low = " << num(r.low) << "\n";
    o << "high = " << num(r.high) << "\n";
    o << "source = \"" << b.sources.at(name) << "\"\n";
  }
  return o.str();
}

}  // namespace dssim
