#include "finance/cost_inputs.hpp"

#include "config/keys.hpp"
#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {
using T = Key::Type;
const Key& kPrice = declare_key({"cost", "gpu_price_usd", T::number, 0, 1e9, {}, "USD", "required", "purchase price of one GPU", ""});
const Key& kDepreciation = declare_key({"cost", "depreciation_months", T::number, 1, 1200, {}, "months", "required", "straight-line depreciation period", ""});
const Key& kCloud = declare_key({"cost", "cloud_usd_per_gpu_hour", T::number, 0, 1e6, {}, "USD/GPU-hour", "required", "what renting one such GPU costs", ""});
const Key& kElectricity = declare_key({"cost", "electricity_usd_per_kwh", T::number, 0, 100, {}, "USD/kWh", "required", "electricity price", ""});
const Key& kPue = declare_key({"cost", "pue", T::number, 1, 10, {}, "", "required", "power usage effectiveness of the room", ""});
const Key& kUtilization = declare_key({"cost", "utilization", T::number, 0, 1, {}, "", "required", "share of the month the GPUs are busy", ""});
const Key& kHorizon = declare_key({"cost", "horizon_months", T::number, 1, 1200, {}, "months", "required", "months the ROI is taken over", ""});
const Key& kOps = declare_key({"cost", "ops_usd_per_month", T::number, 0, 1e9, {}, "USD/month", "0", "maintenance, hosting, staff share: every month on-prem", ""});
const Key& kRefresh = declare_key({"cost", "refresh_months", T::number, 0, 1200, {}, "months", "0 (none)", "the hardware is resold at this month", ""});
const Key& kResidual = declare_key({"cost", "residual_fraction", T::number, 0, 1, {}, "", "0", "share of the price recovered at the refresh (needs refresh_months)", ""});
const Key& kApr = declare_key({"cost", "financing_apr", T::number, 0, 1, {}, "per year", "0 (cash)", "> 0: the hardware is paid in monthly instalments over the depreciation period", ""});
}  // namespace

CostInputs read_cost(TomlTable& c) {
  CostInputs k;
  k.gpu_price_usd = c.get_number(kPrice);
  k.depreciation_months = c.get_number(kDepreciation);
  k.cloud_usd_per_gpu_hour = c.get_number(kCloud);
  k.electricity_usd_per_kwh = c.get_number(kElectricity);
  k.pue = c.get_number(kPue);
  k.utilization = c.get_number(kUtilization);
  k.horizon_months = c.get_number(kHorizon);
  k.ops_usd_per_month = c.opt_number(kOps).value_or(0);
  k.refresh_months = c.opt_number(kRefresh).value_or(0);
  k.residual_fraction = c.opt_number(kResidual).value_or(0);
  k.financing_apr = c.opt_number(kApr).value_or(0);
  if (k.residual_fraction > 0 && k.refresh_months <= 0)
    throw Error(fmt("%s: residual_fraction needs refresh_months (the month the hardware is sold)", c.where(kResidual.name).c_str()));
  c.finish();
  return k;
}

}  // namespace dssim
