#pragma once
// Buying instead of renting as an investment: the monthly cash flows it saves, their net present value
// at a discount rate, and the internal rate of return (the rate at which that value is zero).
#include <optional>
#include <vector>

#include "finance/roi.hpp"

namespace dssim {

// Month 0: the hardware (or nothing when financed); month m >= 1: cloud - electricity - operations
// - the instalment (financed, m <= depreciation) + the residual at the refresh month. `months` + 1 values.
std::vector<double> buy_vs_rent_cash_flows(const RoiInputs& in, int months);

// Sum of cf[m] / (1 + r_m)^m with the monthly rate r_m = (1 + annual)^(1/12) - 1.
double npv(const std::vector<double>& cf, double annual_rate);

// The annual rate at which npv is zero, found by bisection; none when the flows do not change sign
// once (all savings, all costs, or no root between -99 % and +10,000 % a year).
std::optional<double> irr(const std::vector<double>& cf);

}  // namespace dssim
