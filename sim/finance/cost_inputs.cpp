#include "finance/cost_inputs.hpp"

#include "config/keys.hpp"
#include "config/price_catalog.hpp"
#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {
using T = Key::Type;
const char* kFromCatalogue = "from platforms/prices.toml";
const Key& kPrice = declare_key({"cost", "gpu_price_usd", T::number, 0, 1e9, {}, "USD", kFromCatalogue, "purchase price of one GPU", ""});
const Key& kDepreciation = declare_key({"cost", "depreciation_months", T::number, 1, 1200, {}, "months", "36", "straight-line depreciation period", ""});
const Key& kCloud = declare_key({"cost", "cloud_usd_per_gpu_hour", T::number, 0, 1e6, {}, "USD/GPU-hour", kFromCatalogue, "what renting one such GPU costs", ""});
const Key& kProvider = declare_key({"cost", "cloud_provider", T::text, 0, 0, {}, "", "aws", "whose cloud offers to compare with (\"any\": every provider)", ""});
const Key& kTerm = declare_key({"cost", "cloud_term", T::choice, 0, 0, kCloudTerms, "", "on_demand", "which kind of cloud offer", ""});
const Key& kCloudGpu = declare_key({"cost", "cloud_gpu", T::text, 0, 0, {}, "", "the platform's GPU", "rent this GPU instead (a card id), when no offer rents the platform's", ""});
const Key& kElectricity = declare_key({"cost", "electricity_usd_per_kwh", T::number, 0, 100, {}, "USD/kWh", kFromCatalogue, "electricity price", ""});
const Key& kElectricityId = declare_key({"cost", "electricity", T::text, 0, 0, {}, "", "us-va-commercial", "an electricity row of platforms/prices.toml", ""});
const Key& kPue = declare_key({"cost", "pue", T::number, 1, 10, {}, "", kFromCatalogue, "power usage effectiveness of the room", ""});
const Key& kSite = declare_key({"cost", "site", T::text, 0, 0, {}, "", "industry-average", "a site row of platforms/prices.toml (its PUE)", ""});
const Key& kUtilization = declare_key({"cost", "utilization", T::number, 0, 1, {}, "", "0.5", "share of the month the GPUs are busy", ""});
const Key& kHorizon = declare_key({"cost", "horizon_months", T::number, 1, 1200, {}, "months", "36", "months the ROI is taken over", ""});
const Key& kOps = declare_key({"cost", "ops_usd_per_month", T::number, 0, 1e9, {}, "USD/month", "0", "maintenance, hosting (colocation), support contracts of the deployment: every month on-prem", ""});
const Key& kStaff = declare_key({"cost", "staff_usd_per_month", T::number, 0, 1e9, {}, "USD/month", "0", "the people who run the deployment: every month on-prem", ""});
const Key& kServer = declare_key({"cost", "server_usd_per_gpu", T::number, 0, 1e8, {}, "USD", "from platforms/prices.toml ([[server]]; 0 when none)", "each GPU's share of its server (chassis, CPUs, memory, NICs, local disks)", ""});
const Key& kNetwork = declare_key({"cost", "network_usd_per_gpu", T::number, 0, 1e8, {}, "USD", "from platforms/prices.toml ([[network]]) on more than one node, else 0", "each GPU's share of the fabric between nodes (switch ports, cables, optics)", ""});
const Key& kStorage = declare_key({"cost", "storage_usd", T::number, 0, 1e10, {}, "USD", "0", "shared storage bought for the deployment (capital, depreciated with the rest)", ""});
const Key& kRefresh = declare_key({"cost", "refresh_months", T::number, 0, 1200, {}, "months", "0 (none)", "the hardware is resold at this month", ""});
const Key& kResidual = declare_key({"cost", "residual_fraction", T::number, 0, 1, {}, "", "0", "share of the price recovered at the refresh (needs refresh_months)", ""});
const Key& kDiscount = declare_key({"cost", "discount_rate", T::number, 0, 1, {}, "per year", "0.08", "the cost of capital the NPV discounts the monthly savings at", ""});
const Key& kApr = declare_key({"cost", "financing_apr", T::number, 0, 1, {}, "per year", "0 (cash)", "> 0: the hardware is paid in monthly instalments over the depreciation period", ""});

// A number and the catalogue row that would otherwise supply it are two answers to one question.
void one_of(TomlTable& c, const Key& number, const Key& row) {
  if (c.has(number.name) && c.has(row.name))
    throw Error(fmt("%s: give either %s or %s, not both", c.where(number.name).c_str(), number.name.c_str(), row.name.c_str()));
}

std::string in_file(TomlTable& c, const Key& k) { return c.has(k.name) && c.line_of(k.name) > 0 ? c.where(k.name) : ""; }
}  // namespace

CostSpec read_cost(TomlTable& c) {
  CostSpec s;
  CostInputs& k = s.terms;
  one_of(c, kElectricity, kElectricityId);
  one_of(c, kPue, kSite);
  for (const Key* sel : {&kProvider, &kTerm, &kCloudGpu}) one_of(c, kCloud, *sel);
  s.gpu_price_usd = c.opt_number(kPrice);
  s.cloud_usd_per_gpu_hour = c.opt_number(kCloud);
  s.electricity_usd_per_kwh = c.opt_number(kElectricity);
  s.pue = c.opt_number(kPue);
  s.cloud_provider = c.opt_string(kProvider).value_or(s.cloud_provider);
  s.cloud_term = c.opt_choice(kTerm).value_or(s.cloud_term);
  s.cloud_gpu = c.opt_string(kCloudGpu).value_or("");
  s.electricity = c.opt_string(kElectricityId).value_or(s.electricity);
  s.site = c.opt_string(kSite).value_or(s.site);
  s.gpu_price_in_file = in_file(c, kPrice);
  s.cloud_price_in_file = in_file(c, kCloud);
  s.server_usd_per_gpu = c.opt_number(kServer);
  s.network_usd_per_gpu = c.opt_number(kNetwork);
  s.server_price_in_file = in_file(c, kServer);
  k.storage_usd = c.opt_number(kStorage).value_or(0);
  k.staff_usd_per_month = c.opt_number(kStaff).value_or(0);
  k.depreciation_months = c.opt_number(kDepreciation).value_or(36);
  k.utilization = c.opt_number(kUtilization).value_or(0.5);
  k.horizon_months = c.opt_number(kHorizon).value_or(36);
  k.ops_usd_per_month = c.opt_number(kOps).value_or(0);
  k.refresh_months = c.opt_number(kRefresh).value_or(0);
  k.residual_fraction = c.opt_number(kResidual).value_or(0);
  k.financing_apr = c.opt_number(kApr).value_or(0);
  k.discount_rate = c.opt_number(kDiscount).value_or(0.08);
  if (k.residual_fraction > 0 && k.refresh_months <= 0)
    throw Error(fmt("%s: residual_fraction needs refresh_months (the month the hardware is sold)", c.where(kResidual.name).c_str()));
  c.finish();
  return s;
}

}  // namespace dssim
