#pragma once
// The finance reviewer's view of one run: monthly cumulative costs on-prem vs cloud, the break-even
// month, ROI at the horizon, $/M tokens, how each input moves them, and (request streams) owning part
// of the GPUs and renting the peaks. `dssim roi` and `dssim study` both make it from a run's result.
#include <optional>
#include <string>
#include <vector>

#include "finance/curves.hpp"
#include "finance/hybrid.hpp"
#include "report/report.hpp"

namespace dssim {

struct RoiStudy {
  RoiInputs inputs;
  std::string throughput_source;
  // The throughput bar of the tornado: the larger side of the throughput's prediction band, relative.
  double throughput_error = 0;
  std::optional<RunBands> bands;  // the run's prediction bands (none without validation/bands.toml)
  double ttft_p50_s = 0, tpot_p50_s = 0;
  std::string model, gpu;
  int months = 0;  // on the curves
  RoiResult result;
  std::vector<CostPoint> curves;
  std::optional<double> cash_break_even;  // where the cumulative curves cross
  // The same curves at the low and high ends of the utilization range (finance/curves.hpp), and where
  // each pair crosses: the chart's utilization band.
  UtilizationRange utilization;
  std::vector<CostPoint> curves_low_util, curves_high_util;
  std::optional<double> break_even_low_util, break_even_high_util;
  std::vector<Sensitivity> tornado;
  std::vector<HybridOption> hybrid;       // request streams: N owned GPUs, the excess rented
  std::optional<Verdict> verdict;         // the run's: keeps up, meets its SLOs
  std::string verdict_note;               // first on every page when the verdict is not ok
};

// Throws (exit code 2) when the run does not fit. `months` 0: the [cost] horizon.
RoiStudy roi_study(const RunInputs& in, const RunResult& r, int months);
// break_even.csv, sensitivity.csv, hybrid.csv, the gnuplot scripts (and their pictures when gnuplot is
// installed) and report.html into `dir` (created); returns whether the pictures were drawn.
bool write_roi_files(const std::string& dir, const RunInputs& in, const RoiStudy& st);
// The summary on stdout: text or JSON.
std::string render_roi(const RunInputs& in, const RoiStudy& st, const std::string& dir, bool pictures, Format f);

}  // namespace dssim
