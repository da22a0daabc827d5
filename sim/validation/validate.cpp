#include "validation/validate.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>

#include "config/catalog.hpp"
#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/stats.hpp"
#include "util/strings.hpp"
#include "validation/e2e_rows.hpp"
#include "validation/server_run.hpp"

namespace fs = std::filesystem;

namespace dssim {

namespace {

struct Bound {
  double limit = 0, target = 0;
};

Bound read_bound(TomlTable& t, const std::string& key) {
  TomlTable b = t.get_table(key);
  Bound x{b.get_number("limit", 0, 100), b.get_number("target", 0, 100)};
  b.finish();
  return x;
}

// One check: prints the line and says whether the limit holds.
bool check(const std::string& what, double value, const Bound& b) {
  const bool ok = value <= b.limit;
  std::cout << fmt("  %-30s %8.1f %%  limit %5.1f %%  target %5.1f %%  %s%s\n", what.c_str(), value * 100, b.limit * 100,
                   b.target * 100, ok ? "ok" : "OVER THE LIMIT", value <= b.target ? ", target met" : "");
  return ok;
}

bool e2e_set(const std::string& name, TomlTable& t, const fs::path& base, bool print_rows) {
  const std::string data = (base / t.get_string("data")).lexically_normal().string();
  const std::string gpu = t.get_string("gpu");
  const Bound med = read_bound(t, "median_abs"), worst = read_bound(t, "worst_abs"), bias = read_bound(t, "class_bias");
  t.finish();
  const auto rows = predict_e2e_rows(data, gpu, Catalog::from_environment());
  std::cout << fmt("\nEnd-to-end rows: %s (%s, predicted on %s)\n", name.c_str(), data.c_str(), gpu.c_str());
  if (print_rows) {
    std::cout << fmt("  %-20s %-8s %5s %7s %-10s %10s %12s %8s\n", "model", "phase", "batch", "context", "mode", "dssim ms",
                     "measured ms", "error");
    for (const auto& r : rows)
      std::cout << fmt("  %-20s %-8s %5d %7lld %-10s %10s %12.3f %8s\n", r.model.c_str(), r.phase.c_str(), r.batch,
                       r.context, r.mode.c_str(), r.error.empty() ? fmt("%.3f", r.predicted_s * 1e3).c_str() : "-",
                       r.measured_s * 1e3, r.error.empty() ? fmt("%+.1f%%", r.rel_error() * 100).c_str() : r.error.c_str());
  }
  std::map<std::string, std::vector<double>> by_class;
  std::vector<double> all;
  for (const auto& r : rows) {
    if (!r.error.empty()) continue;
    by_class[r.klass()].push_back(r.rel_error());
    all.push_back(r.rel_error());
  }
  std::cout << fmt("  %-20s %5s %14s %10s %8s\n", "class", "rows", "median |error|", "mean bias", "worst");
  double worst_bias = 0;
  auto cls_line = [&](const std::string& c, const std::vector<double>& e) {
    std::vector<double> a;
    double mean = 0, w = 0;
    for (double x : e) {
      a.push_back(std::fabs(x));
      mean += x / static_cast<double>(e.size());
      if (std::fabs(x) > std::fabs(w)) w = x;
    }
    std::cout << fmt("  %-20s %5zu %13.1f %% %+9.1f %% %+7.1f %%\n", c.c_str(), e.size(), median(a) * 100, mean * 100, w * 100);
    return mean;
  };
  for (const auto& [c, e] : by_class) worst_bias = std::max(worst_bias, std::fabs(cls_line(c, e)));
  cls_line("all", all);
  std::vector<double> abs_all;
  for (double x : all) abs_all.push_back(std::fabs(x));
  const double worst_abs = abs_all.empty() ? 0 : *std::max_element(abs_all.begin(), abs_all.end());
  bool ok = all.size() == rows.size();
  if (!ok) std::cout << "  some rows have no prediction (see above)\n";
  ok &= check("median |error|", median(abs_all), med);
  ok &= check("worst |error|", worst_abs, worst);
  ok &= check("largest class mean bias", worst_bias, bias);
  return ok;
}

bool server_set(const std::string& name, TomlTable& t, const fs::path& base) {
  const std::string req = (base / t.get_string("requests")).lexically_normal().string();
  const std::string scen = (base / t.get_string("scenario")).lexically_normal().string();
  const Bound mean = read_bound(t, "mean"), p90 = read_bound(t, "p90");
  t.finish();
  const auto figs = compare_server_run(req, scen);
  std::cout << fmt("\nServer run: %s (%s replayed by %s)\n", name.c_str(), req.c_str(), scen.c_str());
  std::cout << fmt("  %-12s %10s %12s %8s\n", "figure", "dssim s", "measured s", "error");
  bool ok = true;
  for (const auto& f : figs)
    std::cout << fmt("  %-12s %10.3f %12.3f %+7.1f%%\n", f.name.c_str(), f.predicted_s, f.measured_s, f.rel_error() * 100);
  for (const auto& f : figs) {
    if (f.name.find("mean") != std::string::npos) ok &= check(f.name + " |error|", std::fabs(f.rel_error()), mean);
    if (f.name.find("p90") != std::string::npos) ok &= check(f.name + " |error|", std::fabs(f.rel_error()), p90);
  }
  return ok;
}

}  // namespace

int validate(const ValidateOptions& opt) {
  auto doc = TomlTable::parse_file(opt.file);
  TomlTable top(*doc, opt.file, "");
  const fs::path base = fs::path(opt.file).parent_path();
  std::cout << "dssim validate | " << opt.file << "\n";
  bool ok = true;
  for (const char* kind : {"e2e", "server"}) {
    auto sets = top.opt_table(kind);
    if (!sets) continue;
    for (auto&& [k, v] : *doc->get(kind)->as_table()) {
      const std::string name(k.str());
      TomlTable t = sets->get_table(name);
      ok &= std::string(kind) == "e2e" ? e2e_set(name, t, base, opt.rows) : server_set(name, t, base);
    }
  }
  top.finish();
  std::cout << (ok ? "\nevery limit holds\n" : "\nsome limits do not hold\n");
  return ok ? 0 : 1;
}

}  // namespace dssim
