// `dssim study STUDY.toml --out DIR`: a table of scenarios side by side, each run as `dssim roi` runs it
// (in a child process of its own), with "cost-effectiveness stars" from $ per million output tokens at the rows' SLOs,
// beside the stars a source (the seed article) gave them.
#include <boost/program_options.hpp>
#include <cmath>
#include <thread>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/roi.hpp"
#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/child.hpp"
#include "util/output_file.hpp"
#include "util/strings.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace dssim {

namespace {

struct Row {
  std::string tier, gpu_label, scenario, claim;
  double article_stars = 0;
  // from dssim roi
  std::string model, gpus;
  double onprem = 0, cloud = 0, ttft = 0, tpot = 0, stars = 0;
  std::string break_even;
  bool ok = false;
  std::string error;
};

std::string stars_text(double s) {
  std::string out;
  for (int i = 1; i <= 5; ++i) out += s >= i ? "*" : (s >= i - 0.5 ? "+" : ".");
  return out;
}

}  // namespace

int cmd_study(const std::vector<std::string>& args) {
  std::string path, out;
  bool force = false;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  po::options_description desc("study options");
  desc.add_options()("study", po::value(&path)->required(), "study file")("out", po::value(&out)->required(), "output folder")(
      "force", po::bool_switch(&force), "write into an --out folder that already has files")(
      "jobs", po::value(&jobs), "rows at a time, each in its own process (default: the cores)");
  po::positional_options_description pos;
  pos.add("study", 1);
  parse_options(args, desc, &pos, "study");
  if (jobs < 1 || jobs > 1024) throw Error(fmt("--jobs must be in [1, 1024], got %d", jobs));
  auto doc = TomlTable::parse_file(path);
  TomlTable t(*doc, path, "");
  const std::string title = t.get_string("title");
  const std::string about = t.opt_string("description").value_or("");
  const toml::node* rows_node = doc->get("row");
  if (!rows_node || !rows_node->is_array_of_tables())
    throw Error(fmt("%s: expected [[row]] tables (tier, gpu, scenario, article_stars)", path.c_str()));
  t.allow({"row"});
  t.finish();
  std::vector<Row> rows;
  int n = 0;
  for (const toml::node& rn : *rows_node->as_array()) {
    TomlTable r(*rn.as_table(), path, fmt("row[%d]", n++));
    Row row;
    row.tier = r.get_string("tier");
    row.gpu_label = r.get_string("gpu");
    row.scenario = (fs::path(path).parent_path() / r.get_string("scenario")).lexically_normal().string();
    if (row.scenario.rfind('-', 0) == 0) row.scenario = "./" + row.scenario;  // a file, never an option
    row.article_stars = r.get_number("article_stars", 0, 5);
    row.claim = r.opt_string("article_claim").value_or("");
    r.finish();
    rows.push_back(row);
  }
  prepare_output_folder(out, force, "--out");
  // Each row is one simulation in its own child (SimGrid runs one per process), `jobs` at a time;
  // the table keeps the file's order whatever order they finish in.
  run_in_children(
      rows.size(), jobs,
      [&](std::size_t i) {
        const std::string dir = (fs::path(out) / fmt("row%zu", i)).string();
        const RoiRun roi = run_roi(rows[i].scenario, {}, 0);
        write_roi_files(dir, roi.in, roi.study);
        const RoiStudy& st = roi.study;
        const RoiResult& x = st.result;
        return ChildAnswer{{"model", st.model}, {"gpus", st.gpu},
                           {"onprem", answer_number(x.usd_per_million_tokens_onprem)},
                           {"cloud", answer_number(x.usd_per_million_tokens_cloud)}, {"ttft", answer_number(st.ttft_p50_s)},
                           {"tpot", answer_number(st.tpot_p50_s)},
                           {"break_even", x.break_even_months ? answer_number(*x.break_even_months) : ""}};
      },
      [&](std::size_t i, const ChildAnswer& a) {
        Row& r = rows[i];
        if (a.count("error")) {
          r.error = "dssim: " + a.at("error");
          return;
        }
        if (!std::isfinite(std::stod(a.at("onprem")))) {
          r.error = "$ per million tokens is undefined (no tokens: utilization 0?); no stars";
          return;
        }
        r.ok = true;
        r.model = a.at("model");
        r.gpus = a.at("gpus");
        r.onprem = std::stod(a.at("onprem"));
        r.cloud = std::stod(a.at("cloud"));
        r.ttft = std::stod(a.at("ttft"));
        r.tpot = std::stod(a.at("tpot"));
        r.break_even = a.at("break_even").empty() ? "never" : fmt("%.1f", std::stod(a.at("break_even")));
      });
  double cheapest = 1e300;
  for (const Row& r : rows)
    if (r.ok) cheapest = std::min(cheapest, r.onprem);
  // Stars: the cheapest row at its SLO gets 5; every factor of 10 in $/M costs 2 stars; halves, 1 at least.
  for (Row& r : rows)
    if (r.ok) r.stars = std::clamp(std::round(2 * (5 - 2 * std::log10(r.onprem / cheapest))) / 2, 1.0, 5.0);
  OutputFile csv((fs::path(out) / "study.csv").string());
  csv << "tier,gpu,model,gpus,usd_per_million_tokens_onprem,usd_per_million_tokens_cloud,ttft_p50_s,tpot_p50_s,"
         "break_even_months,dssim_stars,article_stars\n";
  std::cout << "dssim study | " << title << "\n";
  if (!about.empty()) std::cout << "  " << about << "\n";
  std::cout << "\n" << fmt("%-22s %-18s %-30s %9s %9s %9s %9s %8s  %-7s %-7s %s\n", "tier", "GPU", "model", "$/M prem",
                           "$/M cloud", "TTFT p50", "TPOT p50", "b/even", "dssim", "article", "agree");
  for (const Row& r : rows) {
    if (!r.ok) {
      std::cout << fmt("%-22s %-18s failed: %s\n", r.tier.c_str(), r.gpu_label.c_str(), r.error.c_str());
      continue;
    }
    const bool agree = std::fabs(r.stars - r.article_stars) <= 0.5;
    std::cout << fmt("%-22s %-18s %-30s %9.3f %9.3f %8.2fs %7.1fms %8s  %-7s %-7s %s\n", r.tier.c_str(), r.gpu_label.c_str(),
                     r.model.c_str(), r.onprem, r.cloud, r.ttft, r.tpot * 1e3, r.break_even.c_str(), stars_text(r.stars).c_str(),
                     stars_text(r.article_stars).c_str(), agree ? "yes" : "no");
    csv << fmt("%s,%s,%s,%s,%.6g,%.6g,%.6g,%.6g,%s,%.1f,%.1f\n", r.tier.c_str(), r.gpu_label.c_str(), r.model.c_str(),
               r.gpus.c_str(), r.onprem, r.cloud, r.ttft, r.tpot, r.break_even.c_str(), r.stars, r.article_stars);
  }
  csv.commit();
  std::cout << "\nStars from $/M output tokens on-prem at each row's SLO: 5 for the cheapest, 2 fewer per 10x more.\n"
            << "Each row's curves and tornado: " << out << "/rowN/\n";
  return 0;
}

}  // namespace dssim
