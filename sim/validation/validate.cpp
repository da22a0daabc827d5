#include "validation/validate.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <map>

#include "config/accuracy_bands.hpp"
#include "config/catalog.hpp"
#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/input_file.hpp"
#include "util/output_file.hpp"
#include "util/prediction_interval.hpp"
#include "util/stats.hpp"
#include "util/strings.hpp"
#include "validation/e2e_rows.hpp"
#include "validation/public_rows.hpp"
#include "validation/server_run.hpp"

namespace fs = std::filesystem;

namespace dssim {

namespace {

struct Bound {
  double limit = 0, target = 0;
};

// Residuals of every class of figure, gathered across the validation sets for the prediction bands.
struct Residuals {
  std::map<std::string, std::vector<double>> by_class;
  std::map<std::string, std::string> source;
  std::map<std::string, std::vector<PublicRow>> public_sets;  // "public.NAME" -> its rows
  void add(const std::string& cls, double e, const std::string& from) {
    by_class[cls].push_back(e);
    auto& s = source[cls];
    if (s.find(from) == std::string::npos) s += (s.empty() ? "" : ", ") + from;
  }
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

struct ErrorSummary {
  std::size_t n = 0;
  double median_abs = 0, mean = 0, worst = 0;
};

ErrorSummary summarize(const std::vector<double>& e) {
  ErrorSummary s;
  s.n = e.size();
  std::vector<double> a;
  for (double x : e) {
    a.push_back(std::fabs(x));
    s.mean += x / static_cast<double>(e.size());
    if (std::fabs(x) > std::fabs(s.worst)) s.worst = x;
  }
  s.median_abs = median(a);
  return s;
}

bool e2e_set(const std::string& name, TomlTable& t, const fs::path& base, bool print_rows, Residuals& res) {
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
    std::string cls = r.klass();
    std::replace(cls.begin(), cls.end(), ' ', '_');
    res.add(cls, r.rel_error(), name + " (" + gpu + ")");
  }
  std::cout << fmt("  %-20s %5s %14s %10s %8s\n", "class", "rows", "median |error|", "mean bias", "worst");
  double worst_bias = 0;
  auto cls_line = [&](const std::string& c, const std::vector<double>& e) {
    const ErrorSummary s = summarize(e);
    std::cout << fmt("  %-20s %5zu %13.1f %% %+9.1f %% %+7.1f %%\n", c.c_str(), s.n, s.median_abs * 100, s.mean * 100,
                     s.worst * 100);
    return s;
  };
  for (const auto& [c, e] : by_class) worst_bias = std::max(worst_bias, std::fabs(cls_line(c, e).mean));
  const ErrorSummary s = cls_line("all", all);
  bool ok = all.size() == rows.size();
  if (!ok) std::cout << "  some rows have no prediction (see above)\n";
  ok &= check("median |error|", s.median_abs, med);
  ok &= check("worst |error|", std::fabs(s.worst), worst);
  ok &= check("largest class mean bias", worst_bias, bias);
  return ok;
}

bool server_set(const std::string& name, TomlTable& t, const fs::path& base, Residuals& res) {
  const std::string req = (base / t.get_string("requests")).lexically_normal().string();
  const std::string scen = (base / t.get_string("scenario")).lexically_normal().string();
  const auto smi = t.opt_string("smi_trace");
  const Bound mean = read_bound(t, "mean"), p90 = read_bound(t, "p90");
  t.finish();
  const auto figs = compare_server_run(req, scen, smi ? (base / *smi).lexically_normal().string() : "");
  std::cout << fmt("\nServer run: %s (%s replayed by %s)\n", name.c_str(), req.c_str(), scen.c_str());
  std::cout << fmt("  %-12s %10s %12s %8s\n", "figure", "dssim", "measured", "error");
  bool ok = true;
  for (const auto& f : figs) {
    const bool watts = f.name.rfind("power", 0) == 0;
    std::cout << fmt("  %-12s %8.3f %s %10.3f %s %+7.1f%%\n", f.name.c_str(), f.predicted_s, watts ? "W" : "s",
                     f.measured_s, watts ? "W" : "s", f.rel_error() * 100);
    const std::string cls = watts ? "serving_power" : f.name.rfind("TTFT", 0) == 0 ? "serving_ttft" : "serving_e2e";
    res.add(cls, f.rel_error(), name);
  }
  for (const auto& f : figs) {
    if (f.name.rfind("power", 0) == 0) continue;  // not held to a limit: an accuracy finding (docs/validation.md)
    if (f.name.find("mean") != std::string::npos) ok &= check(f.name + " |error|", std::fabs(f.rel_error()), mean);
    if (f.name.find("p90") != std::string::npos) ok &= check(f.name + " |error|", std::fabs(f.rel_error()), p90);
  }
  return ok;
}

// Published runs of other GPUs: errors per GPU, per source and per figure. Row by row the error is
// dssim / published - 1; the groups sign it as optimism (+: a rate too high or a time too low).
bool public_set(const std::string& name, TomlTable& t, const fs::path& base, bool print_rows, Residuals& res) {
  const std::string data = (base / t.get_string("data")).lexically_normal().string();
  const Bound med = read_bound(t, "median_abs"), worst = read_bound(t, "worst_abs");
  // rows dssim has no figure for (it finds the configuration does not fit where the engine ran it)
  const Bound unpredicted = read_bound(t, "unpredicted");
  t.finish();
  const auto rows = predict_public_rows(data, Catalog::from_environment());
  std::cout << fmt("\nPublished runs: %s (%s, %zu rows)\n", name.c_str(), data.c_str(), rows.size());
  if (print_rows) {
    std::cout << fmt("  %-34s %-13s %-18s %6s %-17s %12s %12s %8s\n", "id", "gpu", "figure", "tp x b", "prompt/output",
                     "dssim", "measured", "error");
    for (const auto& r : rows)
      std::cout << fmt("  %-34s %-13s %-18s %6s %-17s %12s %12.1f %8s\n", r.id.c_str(), r.gpu.c_str(), r.metric.c_str(),
                       fmt("%dx%d", r.tp, r.batch).c_str(), fmt("%lld/%lld", r.prompt, r.output).c_str(),
                       r.error.empty() ? fmt("%.1f", r.predicted).c_str() : "-", r.measured,
                       r.error.empty() ? fmt("%+.1f%%", r.rel_error() * 100).c_str() : r.error.c_str());
  }
  // Optimism: the error signed so that + is optimistic whatever the figure (a rate too high, a time too low).
  std::map<std::string, std::vector<double>> by_gpu, by_source, by_metric;
  std::vector<double> all;
  for (const auto& r : rows) {
    if (!r.error.empty()) continue;
    const double o = r.is_rate() ? r.rel_error() : -r.rel_error();
    by_gpu[r.gpu].push_back(o);
    by_source[r.source].push_back(o);
    by_metric[r.metric].push_back(o);
    all.push_back(o);
  }
  std::cout << fmt("  %-28s %5s %14s %14s %15s\n", "group", "rows", "median |error|", "mean optimism", "worst optimism");
  auto line = [&](const std::string& what, const std::vector<double>& e) {
    const ErrorSummary s = summarize(e);
    std::cout << fmt("  %-28s %5zu %13.1f %% %+12.1f %% %+13.1f %%\n", what.c_str(), s.n, s.median_abs * 100, s.mean * 100,
                     s.worst * 100);
    return s;
  };
  auto group = [&](const char* what, const std::map<std::string, std::vector<double>>& g) {
    for (const auto& [k, e] : g) line(std::string(what) + " " + k, e);
  };
  group("gpu", by_gpu);
  group("source", by_source);
  group("figure", by_metric);
  const ErrorSummary s = line("all", all);
  bool ok = true;
  const std::size_t missing = rows.size() - all.size();
  for (const auto& r : rows)
    if (!r.error.empty()) std::cout << fmt("  no figure for %s: %s\n", r.id.c_str(), r.error.c_str());
  const bool ok_missing = static_cast<double>(missing) <= unpredicted.limit;
  std::cout << fmt("  %-30s %8zu    limit %5.0f    target %5.0f    %s%s\n", "rows without a figure", missing,
                   unpredicted.limit, unpredicted.target, ok_missing ? "ok" : "OVER THE LIMIT",
                   static_cast<double>(missing) <= unpredicted.target ? ", target met" : "");
  ok &= ok_missing;
  ok &= check("median |error|", s.median_abs, med);
  ok &= check("worst |error|", std::fabs(s.worst), worst);
  res.public_sets["public." + name] = rows;
  return ok;
}

// `v` without its i-th value: what the others say, for the leave-one-out checks.
std::vector<double> without(std::vector<double> v, std::size_t i) {
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
  return v;
}

// The prediction bands: each class's residual band, checked by leaving each residual out in turn (does
// the band of the others hold it?), and the bands file every run reads, written or checked for staleness.
bool bands_section(TomlTable& t, const fs::path& base, const Residuals& res, const ValidateOptions& opt,
                   const std::string& command) {
  AccuracyBands b;
  b.confidence = t.get_number("confidence", 0.5, 0.999);
  // The published runs of other GPUs that size the widening for GPUs priced with another's efficiencies.
  const std::string borrowed_set = t.get_string("borrowed");
  // The published runs whose mixture-of-experts rows size the further widening for MoE models.
  const std::string moe_set = t.get_string("moe");
  const std::string out = (base / t.get_string("out")).lexically_normal().string();
  const Bound cover = read_bound(t, "coverage");
  // A class whose rows also fitted one of the model's parameters says little about its own spread: its
  // band is at least this wide on each side of its mean (validate.toml says why, per class).
  std::map<std::string, double> floor;
  if (auto f = t.opt_table("floor")) {
    for (const auto& [cls, e] : res.by_class)
      if (auto v = f->opt_number(cls, 0, 10)) floor[cls] = *v;
    f->finish();
  }
  t.finish();
  std::cout << fmt("\nPrediction bands (%.0f %%): residual e = dssim / measured - 1; a measured value lies in "
                   "[v / (1 + high), v / (1 + low)]\n", b.confidence * 100);
  std::cout << fmt("  %-18s %5s %9s %8s %9s %9s %18s\n", "class", "rows", "mean", "sd", "low", "high", "left-out covered");
  std::size_t tried = 0, held = 0;
  for (const auto& [cls, e] : res.by_class) {
    ResidualBand r = residual_band(e, b.confidence);
    if (auto it = floor.find(cls); it != floor.end()) {
      r.low = std::min(r.low, r.mean - it->second);
      r.high = std::max(r.high, r.mean + it->second);
    }
    b.classes[cls] = r;
    b.sources[cls] = res.source.at(cls);
    std::size_t c_tried = 0, c_held = 0;
    if (e.size() >= 3)
      for (std::size_t i = 0; i < e.size(); ++i) {
        const ResidualBand o = residual_band(without(e, i), b.confidence);
        ++c_tried;
        c_held += e[i] >= o.low && e[i] <= o.high;
      }
    tried += c_tried;
    held += c_held;
    std::cout << fmt("  %-18s %5zu %+8.1f%% %7.1f%% %+8.1f%% %+8.1f%% %18s\n", cls.c_str(), r.n, r.mean * 100, r.sd * 100,
                     r.low * 100, r.high * 100, c_tried ? fmt("%zu of %zu", c_held, c_tried).c_str() : "(too few rows)");
  }
  auto published = [&](const char* key, const std::string& name) -> const std::vector<PublicRow>& {
    const auto it = res.public_sets.find(name);
    if (it == res.public_sets.end())
      throw Error(fmt("%s: [bands] %s = '%s': expected the name of a published set (a [public.NAME] table, "
                      "written public.NAME)", opt.file.c_str(), key, name.c_str()));
    return it->second;
  };
  std::vector<double> need;
  for (const auto& r : published("borrowed", borrowed_set))
    if (r.error.empty() && !r.borrowed_from.empty()) need.push_back(widen_to_cover(r, b));
  b.borrowed_widen = widen_quantile(need, b.confidence);
  b.borrowed_source = fmt("fitted by dssim validate: the smallest widening under which %.0f %% of the %zu published "
                          "runs of other GPUs (%s) lie in their class's band", b.confidence * 100, need.size(),
                          borrowed_set.c_str());
  std::size_t p_held = 0;
  for (std::size_t i = 0; i < need.size(); ++i) p_held += need[i] <= widen_quantile(without(need, i), b.confidence);
  tried += need.size();
  held += p_held;
  std::cout << fmt("  a GPU priced with another GPU's efficiencies: each band %.1f %% wider on each side\n"
                   "    (%s); each left out: %zu of %zu in the band the others size\n",
                   b.borrowed_widen * 100, b.borrowed_source.c_str(), p_held, need.size());
  // MoE rows: what each needs beyond the borrowed widening its GPU already has.
  // Each side on its own share of the misses: a two-sided band holding `confidence` leaves (1 - confidence) / 2 out on each.
  std::vector<double> slow, fast;
  for (const auto& r : published("moe", moe_set))
    if (r.error.empty() && r.moe) {
      const auto [s_need, f_need] = factor_to_cover(r, b, r.borrowed_from.empty() ? 0.0 : b.borrowed_widen);
      slow.push_back(s_need);
      fast.push_back(f_need);
    }
  if (slow.empty())
    throw Error(fmt("%s: [bands] moe = '%s': that set has no predicted row of a mixture-of-experts model",
                    opt.file.c_str(), moe_set.c_str()));
  const double side = 1 - (1 - b.confidence) / 2;
  b.moe_slow = widen_quantile(slow, side);
  b.moe_fast = widen_quantile(fast, side);
  b.moe_source = fmt("fitted by dssim validate: the least stretch of each end of the time bands that holds %.0f %% of the "
                     "%zu published runs of mixture-of-experts models (%s), %.0f %% on each side", b.confidence * 100,
                     slow.size(), moe_set.c_str(), (1 - side) * 100);
  std::size_t m_held = 0;
  for (std::size_t i = 0; i < slow.size(); ++i)
    m_held += slow[i] <= widen_quantile(without(slow, i), side) && fast[i] <= widen_quantile(without(fast, i), side);
  tried += slow.size();
  held += m_held;
  std::cout << fmt("  a mixture-of-experts model: each time band's slow end x %.3g, its fast end / %.3g\n"
                   "    (%s); each left out: %zu of %zu in the band the others size\n",
                   1 + b.moe_slow, 1 + b.moe_fast, b.moe_source.c_str(), m_held, slow.size());
  const double coverage = tried ? static_cast<double>(held) / static_cast<double>(tried) : 0.0;
  const bool ok_cover = coverage >= cover.limit;
  std::cout << fmt("  %-30s %8.1f %%  limit %5.1f %%  target %5.1f %%  %s%s\n", "left-out residuals in band", coverage * 100,
                   cover.limit * 100, cover.target * 100, ok_cover ? "ok" : "UNDER THE LIMIT",
                   coverage >= cover.target ? ", target met" : "");
  const std::string text = accuracy_bands_toml(b, command);
  if (opt.write_bands) {
    OutputFile f(out);
    f << text;
    f.commit();
    std::cout << "  written to " << out << "\n";
    return ok_cover;
  }
  const bool fresh = read_whole_file(out).value_or("") == text;
  std::cout << (fresh ? fmt("  %s holds these bands\n", out.c_str())
                      : fmt("  %s is STALE (the bands every run reads differ from these): run %s\n", out.c_str(), command.c_str()));
  return ok_cover && fresh;
}

}  // namespace

int validate(const ValidateOptions& opt) {
  auto doc = TomlTable::parse_file(opt.file);
  TomlTable top(*doc, opt.file, "");
  const fs::path base = fs::path(opt.file).parent_path();
  std::cout << "dssim validate | " << opt.file << "\n";
  bool ok = true;
  Residuals res;
  for (const char* kind : {"e2e", "server", "public"}) {
    auto sets = top.opt_table(kind);
    if (!sets) continue;
    for (auto&& [k, v] : *doc->get(kind)->as_table()) {
      const std::string name(k.str());
      TomlTable t = sets->get_table(name);
      const std::string set_kind = kind;
      ok &= set_kind == "e2e" ? e2e_set(name, t, base, opt.rows, res)
            : set_kind == "server" ? server_set(name, t, base, res)
                            : public_set(name, t, base, opt.rows, res);
    }
  }
  if (auto bands = top.opt_table("bands"))
    ok &= bands_section(*bands, base, res, opt, "dssim validate " + opt.file + " --write-bands");
  else if (opt.write_bands)
    throw Error(opt.file + ": --write-bands needs a [bands] table (confidence, borrowed, out, coverage)");
  top.finish();
  std::cout << (ok ? "\nevery limit holds\n" : "\nsome limits do not hold\n");
  return ok ? 0 : 1;
}

}  // namespace dssim
