#pragma once
// The article's ROI: (cloud cost saved - hardware depreciation) / hardware cost, over a horizon, with
// "cloud cost saved" net of the on-prem electricity (x PUE) that replaces it.
#include <optional>

#include "finance/cost_inputs.hpp"

namespace dssim {

inline constexpr double kHoursPerMonth = 730.0;  // 8760 / 12

struct RoiInputs {
  CostInputs cost;
  int gpus = 1;
  double throughput_tok_s = 0;  // output tokens per second of the whole deployment while busy
  double busy_power_w = 0;      // per GPU while serving
  double idle_power_w = 0;      // per GPU while idle
  double host_power_w = 0;      // every node's host together, drawn all month
};

struct RoiResult {
  double hardware_usd = 0;
  double cloud_monthly_usd = 0;     // renting the same GPUs for the busy hours
  double energy_monthly_usd = 0;    // on-prem electricity incl. PUE
  double energy_monthly_kwh = 0;
  double depreciation_monthly_usd = 0;
  double tokens_per_month = 0;
  std::optional<double> break_even_months;  // none when the cloud is never more expensive, or when undefined
  bool break_even_defined = true;           // false: a price is unknown (NaN), so is the break-even
  double roi_pct = 0;                        // at the horizon (NaN: no hardware price)
  double usd_per_million_tokens_onprem = 0;  // depreciation + electricity (NaN: no tokens, e.g. utilization 0)
  double usd_per_million_tokens_cloud = 0;
  double npv_usd = 0;                 // of buying instead of renting over the horizon, at the discount rate
  std::optional<double> irr;          // per year; none when the savings never repay the hardware
};

RoiResult compute_roi(const RoiInputs& in);
// The same with the NPV and IRR of buying instead of renting (finance/npv.hpp).
RoiResult compute_roi_with_npv(const RoiInputs& in);

}  // namespace dssim
