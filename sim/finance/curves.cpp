#include "finance/curves.hpp"

#include <algorithm>
#include <cmath>

#include "util/strings.hpp"

namespace dssim {

std::vector<CostPoint> cost_curves(const RoiInputs& in, int months) {
  const RoiResult r = compute_roi(in);
  const CostInputs& c = in.cost;
  std::vector<CostPoint> out;
  // Financed: an annuity over the depreciation period instead of paying at month 0.
  const double rate = c.financing_apr / 12.0, n = c.depreciation_months;
  const double instalment = c.financing_apr > 0 ? r.hardware_usd * rate / (1 - std::pow(1 + rate, -n)) : 0;
  for (int m = 0; m <= months; ++m) {
    CostPoint p;
    p.month = m;
    const double hardware = c.financing_apr > 0 ? instalment * std::min<double>(m, n) : r.hardware_usd;
    p.onprem_usd = hardware + m * (r.energy_monthly_usd + c.fixed_monthly_usd());
    if (c.refresh_months > 0 && m >= c.refresh_months) p.onprem_usd -= r.hardware_usd * c.residual_fraction;
    p.cloud_usd = m * r.cloud_monthly_usd;
    out.push_back(p);
  }
  return out;
}

std::optional<double> curve_break_even(const std::vector<CostPoint>& c) {
  for (std::size_t i = 1; i < c.size(); ++i) {
    const double d0 = c[i - 1].onprem_usd - c[i - 1].cloud_usd, d1 = c[i].onprem_usd - c[i].cloud_usd;
    if (d1 <= 0) return c[i - 1].month + (d0 > d1 ? d0 / (d0 - d1) : 1.0);
  }
  return std::nullopt;
}

UtilizationRange utilization_range(const CostInputs& c) {
  return {c.utilization * 0.5, std::min(1.0, c.utilization * 1.5)};
}

double Sensitivity::swing_months() const {
  const double never = 1e4;
  return std::fabs(break_even_high.value_or(never) - break_even_low.value_or(never));
}

namespace {
// "$11.3k": a label without a comma (the tornado's CSV is read by gnuplot, which splits quoted fields).
std::string thousands(double usd) { return usd >= 1000 ? fmt("$%.1fk", usd / 1000) : fmt("$%.0f", usd); }
}  // namespace

std::vector<Sensitivity> sensitivity(const RoiInputs& base, double throughput_error) {
  std::vector<Sensitivity> out;
  auto vary = [&](const std::string& name, auto set_low, auto set_high, const std::string& lo, const std::string& hi) {
    RoiInputs a = base, b = base;
    set_low(a);
    set_high(b);
    RoiResult ra = compute_roi(a), rb = compute_roi(b);
    out.push_back({name, lo, hi, ra.break_even_months, rb.break_even_months, ra.usd_per_million_tokens_onprem,
                   rb.usd_per_million_tokens_onprem});
  };
  const CostInputs& c = base.cost;
  const UtilizationRange u = utilization_range(c);
  const double u_lo = u.low, u_hi = u.high;
  vary("utilization", [&](RoiInputs& x) { x.cost.utilization = u_lo; }, [&](RoiInputs& x) { x.cost.utilization = u_hi; },
       fmt("%.0f %%", u_lo * 100), fmt("%.0f %%", u_hi * 100));
  vary("cloud price", [&](RoiInputs& x) { x.cost.cloud_usd_per_gpu_hour *= 0.5; },
       [&](RoiInputs& x) { x.cost.cloud_usd_per_gpu_hour *= 1.5; }, fmt("$%.3g/h", c.cloud_usd_per_gpu_hour * 0.5),
       fmt("$%.3g/h", c.cloud_usd_per_gpu_hour * 1.5));
  // every capital line together (GPUs, servers, fabric, storage): quotes move as a whole
  auto scale_capital = [](RoiInputs& x, double f) {
    x.cost.gpu_price_usd *= f;
    x.cost.server_usd_per_gpu *= f;
    x.cost.network_usd_per_gpu *= f;
    x.cost.storage_usd *= f;
  };
  const double capital = c.hardware_usd(base.gpus);
  vary("hardware price", [&](RoiInputs& x) { scale_capital(x, 0.75); }, [&](RoiInputs& x) { scale_capital(x, 1.25); },
       thousands(capital * 0.75), thousands(capital * 1.25));
  vary("electricity price", [&](RoiInputs& x) { x.cost.electricity_usd_per_kwh *= 0.5; },
       [&](RoiInputs& x) { x.cost.electricity_usd_per_kwh *= 2.0; }, fmt("$%.3g/kWh", c.electricity_usd_per_kwh * 0.5),
       fmt("$%.3g/kWh", c.electricity_usd_per_kwh * 2));
  vary("PUE", [&](RoiInputs& x) { x.cost.pue = 1.1; }, [&](RoiInputs& x) { x.cost.pue = 2.0; }, "1.1", "2.0");
  if (c.fixed_monthly_usd() > 0)
    vary("operations and staff", [&](RoiInputs& x) {
          x.cost.ops_usd_per_month *= 0.5;
          x.cost.staff_usd_per_month *= 0.5;
        },
        [&](RoiInputs& x) {
          x.cost.ops_usd_per_month *= 1.5;
          x.cost.staff_usd_per_month *= 1.5;
        },
        fmt("%s/mo", thousands(c.fixed_monthly_usd() * 0.5).c_str()), fmt("%s/mo", thousands(c.fixed_monthly_usd() * 1.5).c_str()));
  vary("depreciation period", [&](RoiInputs& x) { x.cost.depreciation_months = 24; },
       [&](RoiInputs& x) { x.cost.depreciation_months = 60; }, "24 months", "60 months");
  vary("throughput", [&](RoiInputs& x) { x.throughput_tok_s *= 1 - throughput_error; },
       [&](RoiInputs& x) { x.throughput_tok_s *= 1 + throughput_error; }, fmt("-%.0f %%", throughput_error * 100),
       fmt("+%.0f %%", throughput_error * 100));
  // biggest swing first: the tornado's order
  std::stable_sort(out.begin(), out.end(), [](const Sensitivity& a, const Sensitivity& b) {
    const double sa = a.swing_months(), sb = b.swing_months();
    if (std::fabs(sa - sb) > 1e-9) return sa > sb;
    return std::fabs(a.usd_per_m_high - a.usd_per_m_low) > std::fabs(b.usd_per_m_high - b.usd_per_m_low);
  });
  return out;
}

}  // namespace dssim
