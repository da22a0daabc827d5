#pragma once
// The bands on a run's headline figures: what a real run would measure, at the confidence of the
// validation residuals of each figure's class (validation/bands.toml), wider where the GPU borrows
// another GPU's efficiencies. docs/validation.md#prediction-bands says which class prices which figure.
#include <optional>
#include <string>


namespace dssim {

struct FigureBand {
  double value = 0, low = 0, high = 0;
  std::string cls;  // the residual class (or classes) it rests on
};

struct BreakEvenBand {
  std::optional<double> value, low, high;  // months; none: never (on that side)
};

struct RunBands {
  double confidence = 0;
  double borrowed_widen = 0;  // added to each side of every band for a borrowed profile, 0 otherwise
  std::string borrowed;    // "rtx-4090 borrows h200-sxm's efficiencies" when widened for it
  std::string widen_source;
  double moe_slow = 0, moe_fast = 0;  // a MoE's time bands stretch to [low / (1 + fast), high x (1 + slow)]
  std::string moe;         // "deepseek-v3 is a mixture of experts" when widened for it
  std::string moe_source;
  bool wider() const { return borrowed_widen > 0 || moe_slow > 0 || moe_fast > 0; }  // than the classes' bands
  std::string why_wider() const;  // the reasons, joined: "" when not widened
  FigureBand ttft, tpot, e2e, throughput, power;
  std::optional<FigureBand> usd_per_m_onprem, usd_per_m_cloud;  // with a [cost] table and its prices
  std::optional<BreakEvenBand> break_even;
};

struct RunInputs;
struct RunResult;
// None when the run does not fit, is a burn, or the data directory has no bands.
std::optional<RunBands> run_bands(const RunInputs& in, const RunResult& r);

}  // namespace dssim
