#include "finance/roi.hpp"

#include "finance/npv.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dssim {

RoiResult compute_roi(const RoiInputs& in) {
  const CostInputs& c = in.cost;
  RoiResult r;
  r.hardware_usd = c.hardware_usd(in.gpus);
  const double busy_h = kHoursPerMonth * c.utilization;
  r.cloud_monthly_usd = c.cloud_usd_per_gpu_hour * in.gpus * busy_h;
  const double avg_w = in.idle_power_w + c.utilization * (in.busy_power_w - in.idle_power_w);
  r.energy_monthly_kwh = (in.gpus * avg_w + in.host_power_w) * kHoursPerMonth / 1000.0 * c.pue;
  r.energy_monthly_usd = r.energy_monthly_kwh * c.electricity_usd_per_kwh;
  r.depreciation_monthly_usd = r.hardware_usd / c.depreciation_months;
  r.tokens_per_month = in.throughput_tok_s * 3600.0 * busy_h;
  const double monthly_saving = r.cloud_monthly_usd - r.energy_monthly_usd - c.fixed_monthly_usd();
  r.break_even_defined = !std::isnan(monthly_saving) && !std::isnan(r.hardware_usd);
  if (monthly_saving > 0) r.break_even_months = r.hardware_usd / monthly_saving;
  const double depreciated = r.hardware_usd * std::min(c.horizon_months, c.depreciation_months) / c.depreciation_months;
  // Undefined figures stay undefined (NaN, printed "n/a", JSON null), never a $0 that reads as free.
  r.roi_pct = r.hardware_usd > 0 && r.break_even_defined ? (monthly_saving * c.horizon_months - depreciated) / r.hardware_usd * 100.0
                                 : std::numeric_limits<double>::quiet_NaN();
  r.usd_per_million_tokens_onprem = r.usd_per_million_tokens_cloud = std::numeric_limits<double>::quiet_NaN();
  if (r.tokens_per_month > 0) {
    r.usd_per_million_tokens_onprem =
        (r.depreciation_monthly_usd + r.energy_monthly_usd + c.fixed_monthly_usd()) / r.tokens_per_month * 1e6;
    r.usd_per_million_tokens_cloud = r.cloud_monthly_usd / r.tokens_per_month * 1e6;
  }
  return r;
}

RoiResult compute_roi_with_npv(const RoiInputs& in) {
  RoiResult r = compute_roi(in);
  const auto cf = buy_vs_rent_cash_flows(in, static_cast<int>(std::ceil(in.cost.horizon_months)));
  r.npv_usd = npv(cf, in.cost.discount_rate);
  r.irr = irr(cf);
  return r;
}

}  // namespace dssim

