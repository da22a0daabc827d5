// Prediction bands: the interval arithmetic by hand, and how a run's headline figures take their bands.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "config/accuracy_bands.hpp"
#include "config/catalog.hpp"
#include "run/bands.hpp"
#include "run/run.hpp"
#include "util/prediction_interval.hpp"

using namespace dssim;

TEST_CASE("a residual band is the t prediction interval of one new draw", "[bands]") {
  // residuals -10 %, 0, +10 %: mean 0, sd 0.1; t(0.95, 2 df) = 2.919986; half = 2.919986 x 0.1 x sqrt(4/3)
  const ResidualBand b = residual_band({-0.1, 0.0, 0.1}, 0.90);
  CHECK(b.n == 3);
  CHECK(b.mean == Approx(0.0).margin(1e-12));
  CHECK(b.sd == Approx(0.1));
  CHECK(b.high == Approx(2.919986 * 0.1 * std::sqrt(4.0 / 3.0)).epsilon(1e-5));
  CHECK(b.low == Approx(-b.high));
  // nine residuals: t(0.95, 8 df) = 1.859548
  std::vector<double> nine{0.01, -0.02, 0.0, 0.015, -0.01, 0.005, 0.02, -0.015, 0.0};
  const ResidualBand c = residual_band(nine, 0.90);
  double mean = 0, ss = 0;
  for (double x : nine) mean += x / 9;
  for (double x : nine) ss += (x - mean) * (x - mean);
  const double sd = std::sqrt(ss / 8);
  CHECK(c.high - c.mean == Approx(1.859548 * sd * std::sqrt(10.0 / 9.0)).epsilon(1e-5));
  // one residual gives its size, not its sign
  const ResidualBand one = residual_band({0.2}, 0.90);
  CHECK(one.low == Approx(-0.2));
  CHECK(one.high == Approx(0.2));
  CHECK(residual_band({}, 0.9).n == 0);
}

TEST_CASE("a prediction's measured range inverts the residual band, widened for borrowed efficiencies", "[bands]") {
  ResidualBand b;
  b.low = -0.2;  // dssim 20 % fast ...
  b.high = 0.1;  // ... to 10 % slow
  const auto [lo, hi] = measured_range(1.0, b, 0.0);
  CHECK(lo == Approx(1.0 / 1.1));
  CHECK(hi == Approx(1.0 / 0.8));
  const auto [wlo, whi] = measured_range(1.0, b, 0.25);
  CHECK(wlo == Approx(1.0 / 1.35));
  CHECK(whi == Approx(1.0 / 0.55));
  b.low = -0.9;  // never an infinite or negative measurement
  CHECK(measured_range(1.0, b, 0.25).second == Approx(1.0 / 0.05));
}

TEST_CASE("a fixed batch's end-to-end band adds its prefill and decode bands, throughput inverts it", "[bands][run]") {
  RunInputs in;
  in.base.output = 11;  // one prefill, 10 decode steps
  in.base.cuda_graphs = true;
  in.base.profile.own = true;
  in.base.gpu.tdp_w = 700;  // the power band stops at the board's limit
  ResidualBand pre, dec, pow;
  pre.n = dec.n = pow.n = 5;
  pre.low = -0.2, pre.high = 0.0;
  dec.low = -0.05, dec.high = 0.05;
  pow.low = -0.1, pow.high = 0.1;
  in.bands.confidence = 0.9;
  in.bands.classes = {{"prefill_eager", pre}, {"decode_cudagraph", dec}, {"serving_power", pow}};
  RunResult r;
  r.fits = true;
  r.fixed = Prediction{};
  r.fixed->ttft_s = 1.0;
  r.fixed->tpot_s = 0.1;
  r.fixed->e2e_s = 2.0;
  r.fixed->throughput_tok_s = 55.0;  // 11 tokens x 10 sequences / 2 s
  r.busy_power_w = 500;
  const auto b = run_bands(in, r);
  REQUIRE(b);
  CHECK_FALSE(b->wider());
  CHECK(b->borrowed_widen == 0);
  CHECK(b->ttft.low == Approx(1.0));
  CHECK(b->ttft.high == Approx(1.25));
  CHECK(b->tpot.low == Approx(0.1 / 1.05));
  CHECK(b->tpot.high == Approx(0.1 / 0.95));
  CHECK(b->e2e.low == Approx(1.0 + 10 * 0.1 / 1.05));
  CHECK(b->e2e.high == Approx(1.25 + 10 * 0.1 / 0.95));
  CHECK(b->throughput.low == Approx(55.0 * 2.0 / b->e2e.high));
  CHECK(b->throughput.high == Approx(55.0 * 2.0 / b->e2e.low));
  CHECK(b->power.low == Approx(500 / 1.1));
  CHECK(b->power.high == Approx(500 / 0.9));
  in.base.gpu.tdp_w = 520;  // a GPU cannot draw above its limit, whatever the band says
  CHECK(run_bands(in, r)->power.high == Approx(520));
  in.base.gpu.tdp_w = 700;
  CHECK_FALSE(b->usd_per_m_onprem);  // no [cost] table
  // a borrowed profile widens every class by the file's share on each side
  in.base.profile.own = false;
  in.bands.borrowed_widen = 0.25;
  const auto w = run_bands(in, r);
  REQUIRE(w);
  CHECK(w->wider());
  CHECK(w->borrowed_widen == 0.25);
  CHECK(w->ttft.high == Approx(1.0 / (1 - 0.45)));
  CHECK(w->ttft.low == Approx(1.0 / 1.25));
  // a mixture of experts stretches the time bands' ends, after the borrowed widening; power stays
  in.bands.moe_slow = 1.0;
  in.bands.moe_fast = 0.25;
  in.base.model.moe = MoeSpec{};
  const auto m = run_bands(in, r);
  REQUIRE(m);
  CHECK(m->ttft.high == Approx(2.0 / (1 - 0.45)));
  CHECK(m->ttft.low == Approx(1.0 / 1.25 / 1.25));
  CHECK(m->tpot.high == Approx(2.0 * 0.1 / (0.95 - 0.25)));
  CHECK(m->e2e.high == Approx(m->ttft.high + 10 * m->tpot.high));
  CHECK(m->power.high == Approx(w->power.high));
  CHECK(m->why_wider() == w->borrowed + " and " + m->moe);
}

TEST_CASE("the shipped bands are the ones dssim validate derives, and every class has its source", "[bands][config]") {
  const AccuracyBands b = Catalog(DSSIM_TEST_DATA_DIR).accuracy_bands();
  REQUIRE_FALSE(b.empty());
  CHECK(b.confidence == Approx(0.9));
  for (const char* cls : {"prefill_eager", "decode_cudagraph", "decode_eager", "serving_ttft", "serving_e2e", "serving_power"}) {
    INFO(cls);
    REQUIRE(b.find(cls));
    CHECK(b.find(cls)->low <= b.find(cls)->high);
    CHECK_FALSE(b.sources.at(cls).empty());
  }
  // read back what the writer writes
  const std::string path = "bands_roundtrip.toml";
  {
    std::ofstream f(path);
    f << accuracy_bands_toml(b, "test");
  }
  const AccuracyBands again = read_accuracy_bands(path);
  CHECK(accuracy_bands_toml(again, "test") == accuracy_bands_toml(b, "test"));
  std::remove(path.c_str());
}
