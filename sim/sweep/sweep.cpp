#include "sweep/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/toml_table.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

const std::vector<std::string> kSweepColumns{
    "status", "fits", "ttft_p50_s", "ttft_p99_s", "tpot_p50_s", "tpot_p99_s", "e2e_p50_s", "e2e_p99_s",
    "throughput_tok_s", "power_w", "energy_kwh", "usd_per_million_tokens_onprem", "break_even_months",
    "usd_per_million_tokens_cloud", "gpu_price_usd", "cloud_usd_per_gpu_hour", "keeps_up", "meets_slo"};

std::size_t SweepSpec::points() const {
  std::size_t n = 1;
  for (const auto& a : axes) n *= a.literal.size();
  return n;
}

std::string base_scenario(TomlTable& t, const std::string& file) {
  const std::string base = (std::filesystem::path(file).parent_path() / t.get_string("base")).lexically_normal().string();
  if (!std::filesystem::is_regular_file(base))
    throw Error(fmt("%s: base scenario '%s' does not exist", t.where("base").c_str(), base.c_str()));
  return base;
}

SweepSpec load_sweep(const std::string& path) {
  auto doc = TomlTable::parse_file(path);
  TomlTable t(*doc, path, "");
  SweepSpec s;
  s.file = path;
  s.base = base_scenario(t, path);
  t.opt_string("description");
  const toml::node* axes = doc->get("axes");
  if (!axes || !axes->is_table()) throw Error(fmt("%s: missing [axes]: \"section.key\" = [values...]", path.c_str()));
  for (auto&& [k, v] : *axes->as_table()) {
    SweepAxis a;
    a.key = std::string(k.str());
    if (split(a.key, '.').size() < 2)
      throw Error(fmt("%s:%u: axis '%s': expected \"section.key\"", path.c_str(), static_cast<unsigned>(v.source().begin.line),
                      a.key.c_str()));
    const toml::array* arr = v.as_array();
    if (!arr || arr->empty())
      throw Error(fmt("%s:%u: axis '%s': expected a non-empty array of values", path.c_str(),
                      static_cast<unsigned>(v.source().begin.line), a.key.c_str()));
    for (const toml::node& e : *arr) {
      std::ostringstream lit;
      e.visit([&lit](auto&& x) { lit << x; });
      a.literal.push_back(lit.str());
      std::string plain = lit.str();
      if (e.is_string()) plain = std::string(*e.value<std::string_view>());
      a.plain.push_back(plain);
    }
    s.axes.push_back(a);
  }
  t.allow({"axes"});
  t.finish();
  if (s.axes.empty()) throw Error(fmt("%s: [axes] is empty", path.c_str()));
  return s;
}

std::vector<std::size_t> sweep_point(const SweepSpec& s, std::size_t index) {
  std::vector<std::size_t> idx(s.axes.size());
  for (std::size_t i = s.axes.size(); i-- > 0;) {
    idx[i] = index % s.axes[i].literal.size();
    index /= s.axes[i].literal.size();
  }
  return idx;
}

std::string results_header(const SweepSpec& s) {
  std::vector<std::string> cols{"point"};
  for (const auto& a : s.axes) cols.push_back(a.key);
  cols.insert(cols.end(), kSweepColumns.begin(), kSweepColumns.end());
  return csv_line(cols);
}

std::string sweep_fingerprint(const SweepSpec& s) {
  // FNV-1a over the sweep file and its base scenario: a change of either makes earlier rows stale.
  std::uint64_t h = 1469598103934665603ULL;
  auto add = [&h](const std::string& text) {
    for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
  };
  for (const std::string& path : {s.file, s.base}) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    add(ss.str());
  }
  return fmt("%016llx", static_cast<unsigned long long>(h));
}

std::map<std::string, std::string> parse_key_values(const std::string& csv) {
  std::map<std::string, std::string> kv;
  std::istringstream in(csv);
  std::string line;
  std::vector<std::string> f;
  while (std::getline(in, line))
    if (parse_csv_line(line, f) && f.size() == 2) kv[f[0]] = f[1];
  return kv;
}

std::string result_row(const SweepSpec& s, std::size_t index, const std::map<std::string, std::string>& kv,
                       const std::string& status) {
  auto get = [&](std::initializer_list<const char*> keys) -> std::string {
    for (const char* k : keys) {
      auto it = kv.find(k);
      if (it != kv.end()) return it->second;
    }
    return "";
  };
  std::vector<std::string> cells{std::to_string(index)};
  auto p = sweep_point(s, index);
  for (std::size_t i = 0; i < s.axes.size(); ++i) cells.push_back(s.axes[i].plain[p[i]]);
  std::string st = status;
  for (char& ch : st)
    if (ch == '\n' || ch == '\r') ch = ' ';  // one line per row; commas and quotes are quoted below
  cells.push_back(st);
  cells.push_back(get({"fits"}));
  // a fixed batch has one TTFT/TPOT/e2e: it is both its p50 and its p99
  cells.push_back(get({"ttft_s.p50", "ttft_s"}));
  cells.push_back(get({"ttft_s.p99", "ttft_s"}));
  cells.push_back(get({"tpot_s.p50", "tpot_s"}));
  cells.push_back(get({"tpot_s.p99", "tpot_s"}));
  cells.push_back(get({"e2e_s.p50", "e2e_s"}));
  cells.push_back(get({"e2e_s.p99", "e2e_s"}));
  cells.push_back(get({"throughput_tok_s"}));
  cells.push_back(get({"power_w"}));
  cells.push_back(get({"energy_kwh"}));
  cells.push_back(get({"usd_per_million_tokens_onprem"}));
  cells.push_back(get({"break_even_months"}));
  cells.push_back(get({"usd_per_million_tokens_cloud"}));
  cells.push_back(get({"gpu_price_usd"}));
  cells.push_back(get({"cloud_usd_per_gpu_hour"}));
  cells.push_back(get({"keeps_up"}));
  cells.push_back(get({"meets_slo"}));
  return csv_line(cells);
}

std::vector<std::vector<std::string>> pareto_front(const std::vector<std::vector<std::string>>& rows,
                                                   const std::string& latency_col, const std::string& cost_col) {
  std::vector<std::vector<std::string>> out;
  if (rows.empty()) return out;
  const auto& h = rows[0];
  auto col = [&](const std::string& name) {
    auto it = std::find(h.begin(), h.end(), name);
    if (it == h.end()) throw Error("internal: results.csv has no column " + name, ExitCode::internal);
    return static_cast<std::size_t>(it - h.begin());
  };
  const std::size_t lc = col(latency_col), cc = col(cost_col);
  struct P { double l, c; std::size_t row; };
  std::vector<P> pts;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != h.size() || rows[r][lc].empty() || rows[r][cc].empty()) continue;
    pts.push_back({std::stod(rows[r][lc]), std::stod(rows[r][cc]), r});
  }
  out.push_back(h);
  std::vector<P> front;
  for (const P& p : pts) {
    bool dominated = std::any_of(pts.begin(), pts.end(), [&](const P& q) {
      return q.l <= p.l && q.c <= p.c && (q.l < p.l || q.c < p.c);
    });
    if (!dominated) front.push_back(p);
  }
  std::sort(front.begin(), front.end(), [](const P& a, const P& b) { return a.l < b.l || (a.l == b.l && a.row < b.row); });
  for (const P& p : front) out.push_back(rows[p.row]);
  return out;
}

}  // namespace dssim
