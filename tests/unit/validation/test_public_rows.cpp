// The widening of the prediction bands for GPUs that borrow another GPU's efficiencies, sized on
// published runs: hand-computed cases of widen_to_cover and widen_quantile, and the CSV's bad values.
#include <catch2/catch.hpp>

#include <cmath>
#include <tuple>

#include "config/catalog.hpp"
#include "util/error.hpp"
#include "validation/public_rows.hpp"
#include "../test_files.hpp"

using namespace dssim;

namespace {

AccuracyBands bands(double pre_lo, double pre_hi, double dec_lo, double dec_hi) {
  AccuracyBands b;
  b.confidence = 0.9;
  b.classes["prefill_eager"] = ResidualBand{5, 0, 0, pre_lo, pre_hi};
  b.classes["decode_cudagraph"] = ResidualBand{5, 0, 0, dec_lo, dec_hi};
  return b;
}

PublicRow row(const std::string& metric, double predicted, double measured, double prefill_s, double tpot_s, double steps) {
  PublicRow r;
  r.metric = metric;
  r.predicted = predicted;
  r.measured = measured;
  r.prefill_s = prefill_s;
  r.tpot_s = tpot_s;
  r.steps = steps;
  return r;
}

}  // namespace

TEST_CASE("a first-token latency slower than its band needs the band's low side moved by hand-computed w") {
  // measured range of a 10 ms prediction: [10 / (1.05 + w), 10 / (0.9 - w)] ms; 15 ms needs 0.9 - w <= 2/3
  const PublicRow r = row("ttft_ms", 10, 15, 0.010, 0, 0);
  CHECK(widen_to_cover(r, bands(-0.10, 0.05, -0.1, 0.1)) == Approx(0.9 - 2.0 / 3.0).margin(1e-9));
  CHECK(r.time_error() == Approx(10.0 / 15 - 1));
}

TEST_CASE("a static batch's run is banded as its prefill plus its decode steps") {
  // prefill 1 s, 99 steps of 10 ms: 1.99 s predicted. Half the predicted rate measured: 3.98 s, inside
  // 1.99 / (0.9 - w) from w = 0.4. Twice the rate: 0.995 s, inside 1.99 / (1.1 + w) from w = 0.9.
  const AccuracyBands b = bands(-0.1, 0.1, -0.1, 0.1);
  CHECK(widen_to_cover(row("out_tok_s_per_gpu", 1000, 500, 1, 0.01, 99), b) == Approx(0.4).margin(1e-9));
  CHECK(widen_to_cover(row("out_tok_s_per_gpu", 1000, 2000, 1, 0.01, 99), b) == Approx(0.9).margin(1e-9));
}

TEST_CASE("a mixture-of-experts row's stretch beyond its band, each end on its own") {
  // A 10 ms first token whose band is [10 / 1.05, 10 / 0.9] = [9.524, 11.11] ms. Measured 25 ms: the slow
  // end must stretch by 25 / 11.11 = 2.25, so slow = 1.25. Measured 8 ms: fast = 9.524 / 8 - 1 = 0.1905.
  const AccuracyBands b = bands(-0.10, 0.05, -0.1, 0.1);
  auto [slow, fast] = factor_to_cover(row("ttft_ms", 10, 25, 0.010, 0, 0), b, 0);
  CHECK(slow == Approx(25.0 / (10 / 0.9) - 1).margin(1e-9));
  CHECK(fast == 0);
  std::tie(slow, fast) = factor_to_cover(row("ttft_ms", 10, 8, 0.010, 0, 0), b, 0);
  CHECK(slow == 0);
  CHECK(fast == Approx((10 / 1.05) / 8 - 1).margin(1e-9));
  // Widened first (a borrowed GPU, w = 0.3): [10 / 1.35, 10 / 0.6]; 25 ms needs 25 / 16.67 - 1 = 0.5.
  std::tie(slow, fast) = factor_to_cover(row("ttft_ms", 10, 25, 0.010, 0, 0), b, 0.3);
  CHECK(slow == Approx(0.5).margin(1e-9));
  // A static batch's throughput at a third of the predicted rate: 1.99 s predicted (1 s + 99 x 10 ms),
  // 5.97 s measured, band high 1 / 0.9 + 99 x 0.01 / 0.9 = 2.211 s: slow = 5.97 / 2.211 - 1 = 1.7.
  std::tie(slow, fast) = factor_to_cover(row("out_tok_s_per_gpu", 1500, 500, 1, 0.01, 99), b, 0);
  CHECK(slow == Approx(5.97 / (1.99 / 0.9) - 1).margin(1e-9));
}

TEST_CASE("a rate inside its band needs no widening, decode rates use the decode band") {
  const AccuracyBands b = bands(-0.5, -0.4, -0.05, 0.05);  // a prefill band that would not hold it
  CHECK(widen_to_cover(row("decode_tok_s", 100, 102, 0.5, 0.01, 128), b) == 0);
  // 100 predicted, 80 measured: the step took 12.5 ms against 10 ms, inside 10 / (0.95 - w) from w = 0.15
  CHECK(widen_to_cover(row("decode_tok_s", 100, 80, 0.5, 0.01, 128), b) == Approx(0.15).margin(1e-9));
  // prefill rates use the prefill band: 1000 predicted of a 0.5 s prefill, 1000 measured, needs
  // 0.5 in [0.5 / (0.6 + w), 0.5 / (0.5 - w)]: w = 0.4
  CHECK(widen_to_cover(row("prefill_tok_s", 1000, 1000, 0.5, 0.01, 0), b) == Approx(0.4).margin(1e-9));
}

TEST_CASE("without the classes the widening is infinite") {
  AccuracyBands b;
  CHECK(std::isinf(widen_to_cover(row("ttft_ms", 10, 15, 0.010, 0, 0), b)));
}

TEST_CASE("the widening that covers 90 % of ten rows is the ninth smallest they need") {
  CHECK(widen_quantile({0.9, 0.1, 0.5, 0.0, 0.3, 0.2, 0.8, 0.7, 0.6, 0.4}, 0.9) == Approx(0.8));
  CHECK(widen_quantile({0.3}, 0.9) == Approx(0.3));
  CHECK(widen_quantile({}, 0.9) == 0);
}

TEST_CASE("a published-runs file with a bad figure or count names the file, line and column") {
  const std::string head = "id,source,gpu,model,engine,runtime,cuda_graphs,weights,kv_cache,tp,batch,prompt,output,metric,measured,notes\n";
  const Catalog cat = Catalog::from_environment();
  const auto bad_metric = write_test_file("pub_metric.csv", head + "a,s,h100-sxm,llama-2-7b,e,compiled,off,fp8,fp8,1,1,128,1,tokens,7,\n");
  CHECK_THROWS_WITH(predict_public_rows(bad_metric, cat), Catch::Contains("pub_metric.csv:2") && Catch::Contains("'metric'"));
  const auto bad_tp = write_test_file("pub_tp.csv", head + "a,s,h100-sxm,llama-2-7b,e,compiled,off,fp8,fp8,1.5,1,128,1,ttft_ms,7,\n");
  CHECK_THROWS_WITH(predict_public_rows(bad_tp, cat), Catch::Contains("pub_tp.csv:2") && Catch::Contains("'tp'"));
  const auto bad_value = write_test_file("pub_value.csv", head + "a,s,h100-sxm,llama-2-7b,e,compiled,off,fp8,fp8,1,1,128,1,ttft_ms,0,\n");
  CHECK_THROWS_WITH(predict_public_rows(bad_value, cat), Catch::Contains("'measured'"));
  const auto bad_decode = write_test_file("pub_dec.csv", head + "a,s,h100-sxm,llama-2-7b,e,compiled,off,fp8,fp8,1,1,1,1,decode_tok_s,60,\n");
  CHECK_THROWS_WITH(predict_public_rows(bad_decode, cat), Catch::Contains("output >= 2"));
}
