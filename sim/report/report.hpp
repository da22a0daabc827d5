#pragma once
#include <optional>
#include <string>

#include "finance/roi.hpp"
#include "predict/prediction.hpp"

namespace dssim {

enum class Format { text, json, csv };
Format parse_format(const std::string& s);

struct RunReport {
  std::string title, description;
  PredictInput input;
  Prediction prediction;
  std::optional<RoiResult> roi;
  std::optional<CostInputs> cost;
};

std::string render(const RunReport& r, Format f);

}  // namespace dssim
