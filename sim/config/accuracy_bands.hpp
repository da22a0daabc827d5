#pragma once
// The prediction bands dssim puts on its headline figures: per class of figure, the interval its
// validation residuals (predicted / measured - 1) fall in, written by `dssim validate --write-bands`
// into validation/bands.toml and read by every run.
#include <map>
#include <string>

#include "util/prediction_interval.hpp"

namespace dssim {

struct AccuracyBands {
  double confidence = 0;      // the share of new residuals each band claims to hold
  double borrowed_widen = 0;  // added to each side for a GPU priced with another GPU's efficiencies
  std::string borrowed_source;
  // A mixture-of-experts model's time bands stretch to [low / (1 + moe_fast), high x (1 + moe_slow)].
  double moe_slow = 0, moe_fast = 0;
  std::string moe_source;
  std::map<std::string, ResidualBand> classes;  // "prefill_eager", "decode_cudagraph", "serving_ttft", ...
  std::map<std::string, std::string> sources;   // class -> the validation set it came from
  bool empty() const { return classes.empty(); }
  const ResidualBand* find(const std::string& cls) const;
};

AccuracyBands read_accuracy_bands(const std::string& path);
// The file read_accuracy_bands reads: the same figures, six significant digits.
std::string accuracy_bands_toml(const AccuracyBands& b, const std::string& written_by);

}  // namespace dssim
