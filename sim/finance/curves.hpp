#pragma once
// Month-by-month cumulative costs (a finance reviewer's break-even chart) and the sensitivity of the
// break-even month and $/M tokens to each input (a tornado table).
#include <optional>
#include <string>
#include <vector>

#include "finance/roi.hpp"

namespace dssim {

struct CostPoint {
  int month = 0;
  double onprem_usd = 0, cloud_usd = 0;  // cumulative
};

// onprem(m) = hardware + m (electricity + ops) - residual [m >= refresh];  cloud(m) = m x cloud monthly
std::vector<CostPoint> cost_curves(const RoiInputs& in, int months);
// The first (fractional) month at which the cloud has cost as much as owning, from the curves.
std::optional<double> curve_break_even(const std::vector<CostPoint>& c);

struct Sensitivity {
  std::string input, low_label, high_label;
  std::optional<double> break_even_low, break_even_high;
  double usd_per_m_low = 0, usd_per_m_high = 0;
  double swing_months() const;  // for ordering the tornado: |high - low| (never counts as 10,000 months)
};

// The utilization range every study uses (the tornado's bar and the break-even chart's band): half
// and one and a half times the scenario's, at most 100 %.
struct UtilizationRange {
  double low = 0, high = 0;
};
UtilizationRange utilization_range(const CostInputs& c);

// Each input moved to a low and a high value, the others held: utilization, electricity price,
// cloud price, hardware price, depreciation period, PUE and throughput (± `throughput_error`).
std::vector<Sensitivity> sensitivity(const RoiInputs& in, double throughput_error);

}  // namespace dssim
