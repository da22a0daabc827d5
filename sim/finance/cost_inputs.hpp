#pragma once
// What a deployment costs in money: the scenario's [cost] table.
namespace dssim {

struct CostInputs {
  double gpu_price_usd = 0;
  double depreciation_months = 36;
  double cloud_usd_per_gpu_hour = 0;
  double electricity_usd_per_kwh = 0.10;
  double pue = 1.5;
  double utilization = 0.5;
  double horizon_months = 36;
  double ops_usd_per_month = 0;      // maintenance, hosting, staff share: every month on-prem
  double refresh_months = 0;         // resale at this month (0: none; the article re-evaluates every 18)
  double residual_fraction = 0;      // of the hardware price, recovered at the refresh
  double financing_apr = 0;          // > 0: the hardware is paid in monthly instalments over the depreciation period
};

class TomlTable;
// Reads [cost] (every key declared in finance/cost_inputs.cpp).
CostInputs read_cost(TomlTable& c);

}  // namespace dssim
