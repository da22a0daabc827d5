#pragma once
#include <optional>
#include <string>

#include "finance/roi.hpp"
#include "predict/serving_prediction.hpp"
#include "report/report.hpp"

namespace dssim {

struct ServingReport {
  std::string title, description, workload;  // workload: one line saying where requests came from
  ServingInput input;
  ServingPrediction prediction;
  std::optional<CostInputs> cost;
  std::optional<RoiResult> roi;
  std::string roi_throughput_source;  // which tokens the ROI counts
  double roi_throughput_tok_s = 0;    // output tokens per second while busy, as the ROI counts them
};

std::string render(const ServingReport& r, Format f);

}  // namespace dssim
