#include "report/cost_section.hpp"

#include <cmath>

#include "finance/pricing.hpp"
#include "util/strings.hpp"

namespace dssim {

std::string break_even_text(const RoiResult& x) {
  if (!x.break_even_defined) return "n/a (a price is missing: see Prices)";
  if (x.break_even_months) return fmt("%.1f months", *x.break_even_months);
  return "never (electricity and operations cost more than renting)";
}

std::string npv_text(const RoiResult& x, const CostInputs& c) {
  const std::string irr = !x.break_even_defined ? "IRR n/a (a price is missing)"
                          : x.irr                ? fmt("IRR %.1f %%/year", *x.irr * 100)
                                                 : "IRR none (the savings never repay the hardware)";
  return fmt("%s at %.3g %%/year over %g months; %s", std::isnan(x.npv_usd) ? "n/a" : dollars(x.npv_usd).c_str(),
             c.discount_rate * 100, c.horizon_months, irr.c_str());
}

std::string prices_text(const RunInputs& in) {
  if (!in.cost) return "";
  std::string o = "\nPrices\n";
  for (const PriceSource& p : in.price_sources) {
    o += fmt("  %-38s%s\n", p.item.c_str(), p.value.c_str());
    o += fmt("  %-38s%s\n", "", p.origin.c_str());
  }
  for (const std::string& m : in.price_missing) o += "  n/a: " + m + "\n";
  for (const std::string& m : in.price_excluded) o += "  not counted: " + m + "\n";
  return o;
}

std::string cost_csv(const RunInputs& in, const RunResult& r) {
  if (!r.roi || !in.cost) return "";
  const RoiResult& x = *r.roi;
  std::string o;
  auto row = [&](const char* k, double v) { o += std::string(k) + "," + csv_number(v) + "\n"; };
  if (x.break_even_months) row("break_even_months", *x.break_even_months);
  row("roi_pct", x.roi_pct);
  row("usd_per_million_tokens_onprem", x.usd_per_million_tokens_onprem);
  row("usd_per_million_tokens_cloud", x.usd_per_million_tokens_cloud);
  row("npv_usd", x.npv_usd);
  row("irr_pct", x.irr ? *x.irr * 100 : NAN);
  row("gpu_price_usd", in.cost->gpu_price_usd);
  row("cloud_usd_per_gpu_hour", in.cost->cloud_usd_per_gpu_hour);
  return o;
}

std::string hardware_lines(const CostInputs& c, int gpus) {
  if (c.server_usd_per_gpu <= 0 && c.network_usd_per_gpu <= 0 && c.storage_usd <= 0) return "";
  std::string s = "GPUs " + dollars(gpus * c.gpu_price_usd);
  if (c.server_usd_per_gpu > 0) s += " + servers " + dollars(gpus * c.server_usd_per_gpu);
  if (c.network_usd_per_gpu > 0) s += " + fabric " + dollars(gpus * c.network_usd_per_gpu);
  if (c.storage_usd > 0) s += " + storage " + dollars(c.storage_usd);
  return s;
}

void roi_fields_json(JsonWriter& j, const RunInputs& in, const RoiResult& x, bool meets_slo_and_keeps_up) {
    j.value("meets_slo_and_keeps_up", meets_slo_and_keeps_up);
    if (x.break_even_months) j.value("break_even_months", *x.break_even_months); else j.null("break_even_months");
    j.value("break_even_defined", x.break_even_defined);
    j.value("roi_pct", x.roi_pct);
    j.value("usd_per_million_tokens_onprem", x.usd_per_million_tokens_onprem);
    j.value("usd_per_million_tokens_cloud", x.usd_per_million_tokens_cloud);
    j.value("hardware_usd", x.hardware_usd).value("cloud_monthly_usd", x.cloud_monthly_usd);
    j.value("energy_monthly_usd", x.energy_monthly_usd).value("energy_monthly_kwh", x.energy_monthly_kwh);
    j.value("depreciation_monthly_usd", x.depreciation_monthly_usd).value("tokens_per_month", x.tokens_per_month);
    j.value("npv_usd", x.npv_usd).value("discount_rate", in.cost->discount_rate);
    if (x.irr) j.value("irr_pct", *x.irr * 100); else j.null("irr_pct");
    j.value("gpu_price_usd", in.cost->gpu_price_usd).value("server_usd_per_gpu", in.cost->server_usd_per_gpu);
    j.value("network_usd_per_gpu", in.cost->network_usd_per_gpu).value("storage_usd", in.cost->storage_usd);
    j.value("ops_usd_per_month", in.cost->ops_usd_per_month).value("staff_usd_per_month", in.cost->staff_usd_per_month);
    j.value("cloud_usd_per_gpu_hour", in.cost->cloud_usd_per_gpu_hour);
    j.value("electricity_usd_per_kwh", in.cost->electricity_usd_per_kwh).value("pue", in.cost->pue);
}

void prices_json(JsonWriter& j, const RunInputs& in) {
  j.begin_array("prices");
  for (const PriceSource& p : in.price_sources)
    j.begin_object().value("item", p.item).value("value", p.value).value("source", p.origin).end_object();
  j.end_array();
  j.begin_array("prices_missing");
  for (const std::string& m : in.price_missing) j.value("", m);
  j.end_array();
  j.begin_array("prices_not_counted");
  for (const std::string& m : in.price_excluded) j.value("", m);
  j.end_array();
}

void cost_json(JsonWriter& j, const RunInputs& in, const RunResult& r) {
  if (!in.cost) return;
  if (r.roi) {
    j.begin_object("roi");
    roi_fields_json(j, in, *r.roi, !r.verdict || r.verdict->ok());
    j.end_object();
  }
  prices_json(j, in);
}

}  // namespace dssim
