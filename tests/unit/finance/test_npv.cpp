#include <catch2/catch.hpp>

#include <cmath>

#include "finance/npv.hpp"

using namespace dssim;

TEST_CASE("NPV discounts monthly flows at the monthly equivalent of the annual rate", "[finance]") {
  // 12.68250301 %/year is exactly 1 %/month
  const double annual = std::pow(1.01, 12) - 1;
  CHECK(npv({-100, 101}, annual) == Approx(0).margin(1e-9));
  CHECK(npv({-100, 50, 50}, 0) == Approx(0));
  CHECK(npv({0, 0, 102.01}, annual) == Approx(100));
}

TEST_CASE("IRR: the rate at which the NPV is zero, none without a sign change", "[finance]") {
  const auto r = irr({-100, 110});  // 10 % in one month
  REQUIRE(r);
  CHECK(*r == Approx(std::pow(1.1, 12) - 1).epsilon(1e-9));
  CHECK_FALSE(irr({100, 10}));    // nothing invested
  CHECK_FALSE(irr({-100, -10}));  // never repaid
}

TEST_CASE("buying instead of renting: the hardware at month 0, the saving every month after", "[finance]") {
  RoiInputs in;
  in.cost.gpu_price_usd = 12000;
  in.cost.cloud_usd_per_gpu_hour = 2.0;  // x 365 busy hours = $730 a month
  in.cost.electricity_usd_per_kwh = 0;
  in.cost.utilization = 0.5;
  in.cost.ops_usd_per_month = 30;
  in.cost.depreciation_months = 24;
  auto cf = buy_vs_rent_cash_flows(in, 3);
  REQUIRE(cf.size() == 4);
  CHECK(cf[0] == -12000);
  CHECK(cf[1] == Approx(700));
  // financed over 24 months at 12 %/year: nothing at month 0, the instalment off every month
  in.cost.financing_apr = 0.12;
  cf = buy_vs_rent_cash_flows(in, 2);
  const double inst = 12000 * 0.01 / (1 - std::pow(1.01, -24));
  CHECK(cf[0] == 0);
  CHECK(cf[1] == Approx(700 - inst));
  // resold at month 2 for half the price
  in.cost.financing_apr = 0;
  in.cost.refresh_months = 2;
  in.cost.residual_fraction = 0.5;
  cf = buy_vs_rent_cash_flows(in, 3);
  CHECK(cf[2] == Approx(700 + 6000));
  CHECK(cf[3] == Approx(700));
}
