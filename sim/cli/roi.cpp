// `dssim roi SCENARIO --out DIR`: the finance reviewer's view of a scenario (report/roi_report): the
// run, then monthly cumulative costs on-prem vs cloud, the break-even month, ROI at the horizon, $/M
// tokens, and how each input moves them; CSVs plus gnuplot scripts and an HTML page.
#include "cli/roi.hpp"

#include <boost/program_options.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "config/catalog.hpp"
#include "run/resolve.hpp"
#include "scenario/scenario.hpp"
#include "util/error.hpp"
#include "util/output_file.hpp"
#include "util/strings.hpp"

namespace po = boost::program_options;

namespace dssim {

RoiRun run_roi(const std::string& path, const std::vector<std::string>& sets, int months) {
  Scenario s = load_scenario(path, sets);
  if (!s.cost) throw Error(fmt("%s: dssim roi needs a [cost] table", path.c_str()));
  if (months < 0 || months > 1200) throw Error(fmt("--months must be in [1, 1200] (0: the horizon), got %d", months));
  if (s.burn_run()) throw Error("dssim roi needs a serving or fixed-batch workload, not a burn");
  RoiRun r;
  r.in = resolve_scenario(s, Catalog::from_environment());
  r.result = run(r.in);
  r.study = roi_study(r.in, r.result, months);
  return r;
}

int cmd_roi(const std::vector<std::string>& args) {
  std::string path, out, format = "text";
  int horizon = 0;
  bool force = false;
  std::vector<std::string> sets;
  po::options_description desc("roi options");
  desc.add_options()("scenario", po::value(&path)->required(), "scenario file")("out", po::value(&out)->required(),
                                                                                  "output folder")(
      "months", po::value(&horizon), "months on the curves (default: the horizon)")(
      "format", po::value(&format), "text or json")("set", po::value(&sets)->composing(), "section.key=value")(
      "force", po::bool_switch(&force), "write into an --out folder that already has files");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  parse_options(args, desc, &pos, "roi");
  if (format != "text" && format != "json") throw Error(fmt("--format '%s': expected text or json", format.c_str()));
  prepare_output_folder(out, force, "--out");  // before the run: a bad folder costs nothing
  const RoiRun r = run_roi(path, sets, horizon);
  for (const auto& w : r.result.warnings) std::cerr << "dssim: warning: " << w << "\n";
  const bool pictures = write_roi_files(out, r.in, r.study);
  std::cout << render_roi(r.in, r.study, out, pictures, parse_format(format));
  return 0;
}

}  // namespace dssim
