#pragma once
// What a deployment costs in money: the scenario's [cost] table as written (CostSpec), and the numbers
// a run uses once the price catalogue has filled in what the table left out (CostInputs).
#include <optional>
#include <string>

namespace dssim {

struct CostInputs {
  double gpu_price_usd = 0;          // NaN: no price known (the figures that need it are n/a)
  double depreciation_months = 36;
  double cloud_usd_per_gpu_hour = 0; // NaN: no cloud offer known
  double electricity_usd_per_kwh = 0.10;
  double pue = 1.5;
  double utilization = 0.5;
  double horizon_months = 36;
  // Capital beside the GPUs (docs/roi.md#cost-lines): each GPU's share of its server and of the fabric
  // between nodes (0 on one node), and the deployment's shared storage.
  double server_usd_per_gpu = 0;
  double network_usd_per_gpu = 0;
  double storage_usd = 0;
  double ops_usd_per_month = 0;      // maintenance, hosting (colocation), support contracts: the deployment, every month on-prem
  double staff_usd_per_month = 0;    // the people who run it: the deployment, every month on-prem
  double refresh_months = 0;         // resale at this month (0: none; the article re-evaluates every 18)
  double residual_fraction = 0;      // of the hardware price, recovered at the refresh
  double financing_apr = 0;          // > 0: the hardware is paid in monthly instalments over the depreciation period
  double discount_rate = 0.08;       // per year: the NPV's cost of capital

  // What `gpus` GPUs cost to buy: each with its server and fabric share, and the storage once (none
  // for no GPUs: a hybrid deployment that owns nothing buys nothing).
  double hardware_usd(int gpus) const {
    return gpus > 0 ? gpus * (gpu_price_usd + server_usd_per_gpu + network_usd_per_gpu) + storage_usd : 0.0;
  }
  // Every month on-prem beside the electricity.
  double fixed_monthly_usd() const { return ops_usd_per_month + staff_usd_per_month; }
};

// [cost] as written: numbers the user gave, and which catalogue rows to take the others from.
struct CostSpec {
  CostInputs terms;  // the non-price terms (depreciation, utilization, horizon, ops, refresh, financing)
  std::optional<double> gpu_price_usd, cloud_usd_per_gpu_hour, electricity_usd_per_kwh, pue;
  std::optional<double> server_usd_per_gpu, network_usd_per_gpu;
  std::string cloud_provider = "aws";  // "any": every provider in the catalogue
  std::string cloud_term = "on_demand";
  std::string cloud_gpu;               // rent this GPU instead of the platform's (empty: the same GPU)
  std::string electricity = "us-va-commercial";
  std::string site = "industry-average";
  // "file:line" of a GPU-specific price written in the scenario file (empty when absent or from --set):
  // such a price belongs to the file's GPU and must not follow a --set or sweep to another one.
  std::string gpu_price_in_file, cloud_price_in_file, server_price_in_file;
};

class TomlTable;
// Reads [cost] (every key declared in finance/cost_inputs.cpp).
CostSpec read_cost(TomlTable& c);

}  // namespace dssim
