#pragma once
// One run function for every kind of run: a fixed batch, a request stream or a burn, from inputs
// resolved once (run/resolve), to one result with the same power physics and the same money.
#include <optional>
#include <string>
#include <vector>

#include "run/bands.hpp"
#include "finance/roi.hpp"
#include "run/burn_run.hpp"
#include "run/fixed_batch.hpp"
#include "run/request_stream.hpp"
#include "run/verdict.hpp"
#include "run/run_inputs.hpp"

namespace dssim {

struct RunResult {
  RunKind kind = RunKind::fixed_batch;
  bool fits = true;
  std::optional<Prediction> fixed;          // RunKind::fixed_batch
  std::optional<ServingPrediction> stream;  // RunKind::request_stream
  std::optional<BurnRun> burn;              // RunKind::burn
  std::vector<std::string> warnings;        // for stderr, before the report
  // The headline latencies: a fixed batch's own, a request stream's medians.
  double ttft_s = 0, tpot_s = 0;
  // Draw per GPU while busy, as the electricity bill counts it, and where it came from.
  double busy_power_w = 0;
  std::string busy_power_source;  // "power model" | "estimate"
  // Output tokens per second while the GPUs are busy as the ROI counts them, and which tokens those are
  // (with an SLO, only those of requests meeting it).
  double roi_throughput_tok_s = 0;
  std::string roi_throughput_source;
  std::optional<RoiInputs> roi_inputs;  // when the run fits and has a [cost] table
  std::optional<RoiResult> roi;
  std::optional<Verdict> verdict;       // when the run fits (not for burns)
  std::optional<RunBands> bands;        // the headline figures' prediction bands (run/bands.hpp)
};

RunResult run(const RunInputs& in);

// The ROI's inputs for a run that delivers `throughput_tok_s` while busy (ROI and its what-ifs).
RoiInputs roi_inputs_for(const RunInputs& in, double throughput_tok_s, double busy_power_w);

}  // namespace dssim
