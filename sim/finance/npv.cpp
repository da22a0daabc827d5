#include "finance/npv.hpp"

#include <algorithm>
#include <cmath>

namespace dssim {

std::vector<double> buy_vs_rent_cash_flows(const RoiInputs& in, int months) {
  const RoiResult r = compute_roi(in);
  const CostInputs& c = in.cost;
  const double rate = c.financing_apr / 12.0, n = c.depreciation_months;
  const double instalment = c.financing_apr > 0 ? r.hardware_usd * rate / (1 - std::pow(1 + rate, -n)) : 0;
  std::vector<double> cf(static_cast<std::size_t>(std::max(0, months)) + 1, 0.0);
  cf[0] = c.financing_apr > 0 ? 0.0 : -r.hardware_usd;
  for (int m = 1; m <= months; ++m) {
    double x = r.cloud_monthly_usd - r.energy_monthly_usd - c.fixed_monthly_usd();
    if (c.financing_apr > 0 && m <= n) x -= instalment;
    if (c.refresh_months > 0 && m == static_cast<int>(std::ceil(c.refresh_months))) x += r.hardware_usd * c.residual_fraction;
    cf[static_cast<std::size_t>(m)] = x;
  }
  return cf;
}

double npv(const std::vector<double>& cf, double annual_rate) {
  const double monthly = std::pow(1 + annual_rate, 1.0 / 12.0) - 1;
  double v = 0, f = 1;
  for (double x : cf) {
    v += x / f;
    f *= 1 + monthly;
  }
  return v;
}

std::optional<double> irr(const std::vector<double>& cf) {
  for (double x : cf)
    if (std::isnan(x)) return std::nullopt;
  double lo = -0.99, hi = 100.0;  // annual rates
  double f_lo = npv(cf, lo), f_hi = npv(cf, hi);
  if (!(f_lo > 0 && f_hi < 0)) return std::nullopt;  // an investment: worth more at low rates than at high
  for (int i = 0; i < 200 && hi - lo > 1e-12; ++i) {
    const double mid = 0.5 * (lo + hi), f = npv(cf, mid);
    (f > 0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace dssim
