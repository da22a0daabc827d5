#include <catch2/catch.hpp>

#include "finance/roi.hpp"

using namespace dssim;

TEST_CASE("ROI, break-even and $/M tokens by hand", "[finance]") {
  RoiInputs in;
  in.cost.gpu_price_usd = 15000;
  in.cost.depreciation_months = 36;
  in.cost.cloud_usd_per_gpu_hour = 3.0;
  in.cost.electricity_usd_per_kwh = 0.1;
  in.cost.pue = 1.5;
  in.cost.utilization = 0.5;
  in.cost.horizon_months = 36;
  in.gpus = 1;
  in.throughput_tok_s = 100;
  in.busy_power_w = 400;
  in.idle_power_w = 100;
  RoiResult r = compute_roi(in);
  // 365 busy hours a month: $1095 of cloud; 250 W average x 730 h x 1.5 PUE = 273.75 kWh = $27.375
  CHECK(r.cloud_monthly_usd == Approx(1095));
  CHECK(r.energy_monthly_kwh == Approx(273.75));
  CHECK(r.energy_monthly_usd == Approx(27.375));
  REQUIRE(r.break_even_months);
  CHECK(*r.break_even_months == Approx(15000 / 1067.625));
  CHECK(r.roi_pct == Approx((1067.625 * 36 - 15000) / 15000 * 100));
  CHECK(r.tokens_per_month == Approx(100.0 * 3600 * 365));
  CHECK(r.usd_per_million_tokens_onprem == Approx((15000.0 / 36 + 27.375) / 131.4));
  CHECK(r.usd_per_million_tokens_cloud == Approx(1095 / 131.4));
}

TEST_CASE("no break-even when electricity costs more than renting", "[finance]") {
  RoiInputs in;
  in.cost.gpu_price_usd = 1000;
  in.cost.cloud_usd_per_gpu_hour = 0.01;
  in.cost.electricity_usd_per_kwh = 1.0;
  in.cost.utilization = 1.0;
  in.busy_power_w = 300;
  in.idle_power_w = 30;
  in.throughput_tok_s = 10;
  RoiResult r = compute_roi(in);
  CHECK_FALSE(r.break_even_months.has_value());
  CHECK(r.roi_pct < -100);
}

TEST_CASE("depreciation stops at the end of its period", "[finance]") {
  RoiInputs in;
  in.cost.gpu_price_usd = 12000;
  in.cost.depreciation_months = 12;
  in.cost.cloud_usd_per_gpu_hour = 2.0;
  in.cost.electricity_usd_per_kwh = 0;
  in.cost.utilization = 1.0;
  in.cost.horizon_months = 24;
  in.throughput_tok_s = 1;
  RoiResult r = compute_roi(in);
  CHECK(r.roi_pct == Approx((2.0 * 730 * 24 - 12000) / 12000 * 100));
}

TEST_CASE("the host's draw is added to the electricity all month", "[finance]") {
  RoiInputs in;
  in.cost.gpu_price_usd = 10000;
  in.cost.cloud_usd_per_gpu_hour = 2.0;
  in.cost.electricity_usd_per_kwh = 0.1;
  in.cost.pue = 1.5;
  in.cost.utilization = 0.5;
  in.gpus = 4;
  in.busy_power_w = 400;
  in.idle_power_w = 100;
  in.host_power_w = 800;
  in.throughput_tok_s = 100;
  RoiResult r = compute_roi(in);
  // 4 GPUs at 250 W average + 800 W of host, 730 h, PUE 1.5
  CHECK(r.energy_monthly_kwh == Approx((4 * 250.0 + 800) * 730 / 1000 * 1.5));
}

#include "finance/curves.hpp"

TEST_CASE("cumulative cost curves, cash break-even and resale, by hand", "[finance]") {
  RoiInputs in;
  in.cost.gpu_price_usd = 12000;
  in.cost.depreciation_months = 36;
  in.cost.cloud_usd_per_gpu_hour = 2.0;
  in.cost.electricity_usd_per_kwh = 0;
  in.cost.utilization = 1.0;
  in.cost.ops_usd_per_month = 60;
  in.throughput_tok_s = 1;
  // cloud: 2 $/h x 730 h = 1460 $/month; on-prem: 12000 + 60 per month
  auto c = cost_curves(in, 12);
  REQUIRE(c.size() == 13);
  CHECK(c[0].onprem_usd == Approx(12000));
  CHECK(c[0].cloud_usd == 0);
  CHECK(c[5].onprem_usd == Approx(12300));
  CHECK(c[5].cloud_usd == Approx(7300));
  // break-even: 12000 / (1460 - 60) = 8.571 months, the same from the curves and from the ROI
  REQUIRE(curve_break_even(c));
  CHECK(*curve_break_even(c) == Approx(12000.0 / 1400));
  CHECK(*compute_roi(in).break_even_months == Approx(12000.0 / 1400));
  CHECK(compute_roi(in).usd_per_million_tokens_onprem == Approx((12000.0 / 36 + 60) / (3600.0 * 730) * 1e6));
  // resale of 50 % at month 6 lowers the on-prem curve from then on
  in.cost.refresh_months = 6;
  in.cost.residual_fraction = 0.5;
  auto r = cost_curves(in, 12);
  CHECK(r[5].onprem_usd == Approx(12300));
  CHECK(r[6].onprem_usd == Approx(12000 + 360 - 6000));
  // cloud at month 5 (7300) is below on-prem (12300); at 6, 8760 > 6360: cash break-even inside month 6
  CHECK(*curve_break_even(r) == Approx(5 + 5000.0 / (5000 + 2400)));
}

TEST_CASE("sensitivity: every input moves both ways, the widest swing first", "[finance]") {
  RoiInputs in;
  in.cost.gpu_price_usd = 15000;
  in.cost.cloud_usd_per_gpu_hour = 3.0;
  in.cost.electricity_usd_per_kwh = 0.1;
  in.cost.utilization = 0.5;
  in.throughput_tok_s = 100;
  in.busy_power_w = 400;
  in.idle_power_w = 60;
  auto t = sensitivity(in, 0.1);
  REQUIRE(t.size() == 7);
  for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i - 1].swing_months() >= t[i].swing_months());
  for (const auto& s : t) {
    INFO(s.input);
    if (s.input == "throughput") {
      CHECK(s.usd_per_m_low == Approx(compute_roi(in).usd_per_million_tokens_onprem / 0.9));
      CHECK(s.break_even_low == s.break_even_high);  // break-even does not depend on tokens
    }
    if (s.input == "hardware price") CHECK(*s.break_even_high / *s.break_even_low == Approx(1.25 / 0.75));
  }
}

TEST_CASE("sensitivity: operations and staff get their bar when there are any, by hand", "[finance]") {
  RoiInputs in;
  in.cost.gpu_price_usd = 12000;
  in.cost.cloud_usd_per_gpu_hour = 4.0;
  in.cost.electricity_usd_per_kwh = 0;
  in.cost.utilization = 1.0;
  in.cost.ops_usd_per_month = 200;
  in.cost.staff_usd_per_month = 600;
  in.throughput_tok_s = 100;
  const auto t = sensitivity(in, 0.1);
  REQUIRE(t.size() == 8);
  bool seen = false;
  for (const auto& s : t)
    if (s.input == "operations and staff") {
      seen = true;
      // cloud 730 h x $4 = $2,920 a month; fixed $800 -> $400 or $1,200
      REQUIRE(s.break_even_low);
      REQUIRE(s.break_even_high);
      CHECK(*s.break_even_low == Approx(12000.0 / (2920 - 400)));
      CHECK(*s.break_even_high == Approx(12000.0 / (2920 - 1200)));
      CHECK(s.low_label == "$400/mo");
    }
  CHECK(seen);
  in.cost.ops_usd_per_month = in.cost.staff_usd_per_month = 0;
  CHECK(sensitivity(in, 0.1).size() == 7);  // no bar of zero width
}

TEST_CASE("the utilization band: half and 1.5 times the scenario's, capped at 100 %, as the tornado's bar", "[finance]") {
  CostInputs c;
  c.utilization = 0.5;
  CHECK(utilization_range(c).low == Approx(0.25));
  CHECK(utilization_range(c).high == Approx(0.75));
  c.utilization = 0.8;
  CHECK(utilization_range(c).high == 1.0);
  // the band's break-evens from the curves are the tornado's utilization bar, by hand: no electricity,
  // cloud 2 $/h x 730 h x u, hardware 12,000: break-even 12000 / (1460 u)
  RoiInputs in;
  in.cost.gpu_price_usd = 12000;
  in.cost.cloud_usd_per_gpu_hour = 2.0;
  in.cost.electricity_usd_per_kwh = 0;
  in.cost.utilization = 0.5;
  in.throughput_tok_s = 1;
  RoiInputs hi = in;
  hi.cost.utilization = utilization_range(in.cost).high;
  CHECK(*curve_break_even(cost_curves(hi, 36)) == Approx(12000.0 / (1460 * 0.75)));
  for (const auto& t : sensitivity(in, 0.1))
    if (t.input == "utilization") CHECK(*t.break_even_high == Approx(12000.0 / (1460 * 0.75)));
}

#include "finance/hybrid.hpp"

TEST_CASE("hybrid: owned GPUs take the base load, the excess is rented, by hand", "[finance]") {
  std::vector<Request> demand{{0, 0.0, 10, 100}, {1, 30.0, 10, 500}, {2, 90.0, 10, 1200}};  // 600 then 1200 tokens a minute
  RoiInputs g;
  g.cost.gpu_price_usd = 12000;
  g.cost.depreciation_months = 36;
  g.cost.cloud_usd_per_gpu_hour = 2.0;
  g.cost.electricity_usd_per_kwh = 0.1;
  g.cost.pue = 1.0;
  g.throughput_tok_s = 10;  // 600 tokens a minute per GPU
  g.busy_power_w = 400;
  g.idle_power_w = 100;
  auto o = hybrid_options(*view_source(demand), g, 8);
  REQUIRE(o.size() == 3);  // at 2 GPUs nothing is left to rent: no point in more
  const double month = 730.0 * 3600 / 120;  // two one-minute buckets repeated over a month
  CHECK(o[0].cloud_usd == Approx(1800 * month / 36000 * 2.0));
  CHECK(o[0].onprem_usd == 0);
  CHECK(o[1].onprem_share == Approx(1200.0 / 1800));
  CHECK(o[1].cloud_usd == Approx(600 * month / 36000 * 2.0));
  CHECK(o[1].onprem_usd == Approx(12000.0 / 36 + 400 * 730 / 1000.0 * 0.1));  // busy all the time
  CHECK(o[2].cloud_usd == 0);
  CHECK(o[2].onprem_usd == Approx(2 * 12000.0 / 36 + 2 * (100 + 0.75 * 300) * 730 / 1000.0 * 0.1));
  CHECK(o[2].usd_per_million_tokens == Approx(o[2].total_usd / (1800 * month) * 1e6));
}

TEST_CASE("financed hardware: an annuity instead of the purchase at month 0", "[finance]") {
  RoiInputs in;
  in.cost.gpu_price_usd = 12000;
  in.cost.depreciation_months = 12;
  in.cost.cloud_usd_per_gpu_hour = 1.0;
  in.cost.electricity_usd_per_kwh = 0;
  in.cost.utilization = 1.0;
  in.cost.financing_apr = 0.12;
  in.throughput_tok_s = 1;
  auto c = cost_curves(in, 24);
  const double pay = 12000 * 0.01 / (1 - std::pow(1.01, -12));  // 1066.19 a month
  CHECK(c[0].onprem_usd == 0);
  CHECK(c[1].onprem_usd == Approx(pay));
  CHECK(c[12].onprem_usd == Approx(12 * pay));
  CHECK(c[24].onprem_usd == Approx(12 * pay));  // paid off
  // cloud 730 $/month against 1066 $/month of instalments: owning catches up after the loan
  CHECK(*curve_break_even(c) == Approx(12 * pay / 730).epsilon(1e-3));
}

TEST_CASE("cost lines: servers, fabric and storage are capital, operations and staff monthly, by hand", "[finance]") {
  RoiInputs in;
  in.cost.gpu_price_usd = 30000;
  in.cost.server_usd_per_gpu = 9625;   // $77,000 / 8
  in.cost.network_usd_per_gpu = 1883;
  in.cost.storage_usd = 20000;
  in.cost.ops_usd_per_month = 1000;
  in.cost.staff_usd_per_month = 4000;
  in.cost.depreciation_months = 36;
  in.cost.cloud_usd_per_gpu_hour = 4.0;
  in.cost.electricity_usd_per_kwh = 0.1;
  in.cost.pue = 1.0;
  in.cost.utilization = 1.0;
  in.cost.horizon_months = 36;
  in.gpus = 16;
  in.throughput_tok_s = 1000;
  in.busy_power_w = 700;
  in.idle_power_w = 700;
  const RoiResult r = compute_roi(in);
  const double hardware = 16 * (30000 + 9625 + 1883) + 20000;  // $684,128
  CHECK(r.hardware_usd == Approx(hardware));
  // cloud 16 x 730 h x $4 = $46,720; electricity 16 x 700 W x 730 h = 8,176 kWh = $817.60; fixed $5,000
  const double saving = 46720 - 817.6 - 5000;
  REQUIRE(r.break_even_months);
  CHECK(*r.break_even_months == Approx(hardware / saving));
  CHECK(r.usd_per_million_tokens_onprem == Approx((hardware / 36 + 817.6 + 5000) / (1000.0 * 3600 * 730) * 1e6));
  // the tornado's hardware bar moves every capital line, not the GPUs alone
  for (const Sensitivity& s : sensitivity(in, 0.1))
    if (s.input == "hardware price") {
      REQUIRE(s.break_even_low);
      CHECK(*s.break_even_low == Approx(0.75 * hardware / saving));
    }
}

TEST_CASE("hybrid: the deployment's operations and staff are paid once, not per owned GPU", "[finance]") {
  std::vector<Request> demand{{0, 0.0, 10, 1200}};  // 1200 tokens in one minute
  RoiInputs g;
  g.cost.gpu_price_usd = 12000;
  g.cost.server_usd_per_gpu = 3000;
  g.cost.storage_usd = 36000;
  g.cost.ops_usd_per_month = 500;
  g.cost.staff_usd_per_month = 1500;
  g.cost.depreciation_months = 36;
  g.cost.cloud_usd_per_gpu_hour = 2.0;
  g.cost.electricity_usd_per_kwh = 0;
  g.throughput_tok_s = 10;  // 600 tokens a minute per GPU: 2 GPUs serve it all
  auto o = hybrid_options(*view_source(demand), g, 8);
  REQUIRE(o.size() == 3);
  CHECK(o[0].onprem_usd == 0);  // owning nothing buys no storage and pays nobody
  CHECK(o[1].onprem_usd == Approx((12000.0 + 3000 + 36000) / 36 + 2000));
  CHECK(o[2].onprem_usd == Approx((2 * 15000.0 + 36000) / 36 + 2000));  // was 2 x the monthly costs before
}
