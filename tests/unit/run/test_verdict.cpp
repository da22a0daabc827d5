#include <catch2/catch.hpp>

#include "run/fixed_batch.hpp"
#include "run/verdict.hpp"

using namespace dssim;

namespace {

// 40 requests, one a second; request i waits wait(i) seconds, then is served in 1 s.
template <class Wait>
ServingRun stream(Wait wait, int n = 40, PercentileMode mode = PercentileMode::exact) {
  ServingRun r;
  r.book = RequestBook(mode);
  for (int i = 0; i < n; ++i) {
    SeqState q;
    q.id = q.index = i;
    q.arrival_s = i;
    q.start_s = i + wait(i);
    q.first_token_s = q.start_s + 0.1;
    q.finish_s = q.start_s + 1;
    q.output = 10;
    r.book.add(q);
    r.end_s = std::max(r.end_s, q.finish_s);
  }
  return r;
}

}  // namespace

TEST_CASE("a queue whose wait does not trend keeps up, one that grows does not", "[verdict]") {
  ServingSummary s;
  const LoadCheck steady = judge_load(stream([](int i) { return i % 2 ? 2.0 : 0.5; }), s);
  REQUIRE(steady.judged);
  CHECK(steady.keeps_up);
  CHECK(steady.offered_rps == Approx(40.0 / 39));
  // quarters of 10: first quarter waits alternate 0.5/2.0 (mean 1.25), and so does the last
  CHECK(steady.wait_first_s == Approx(1.25));
  CHECK(steady.wait_growth == Approx(0).margin(1e-12));

  // wait = 0.2 x arrival: first quarter mean 0.2 x 4.5 = 0.9 s, last 0.2 x 34.5 = 6.9 s, 30 s apart: 0.2 s/s
  const LoadCheck growing = judge_load(stream([](int i) { return 0.2 * i; }), s);
  CHECK(growing.wait_first_s == Approx(0.9));
  CHECK(growing.wait_last_s == Approx(6.9));
  CHECK(growing.wait_growth == Approx(0.2));
  CHECK_FALSE(growing.keeps_up);

  // growing, but the last quarter waits under a second: a warm-up, not an overload
  CHECK(judge_load(stream([](int i) { return 0.02 * i; }), s).keeps_up);
  // too few requests to judge
  CHECK_FALSE(judge_load(stream([](int) { return 0.0; }, 5), s).judged);
  // the histograms' sample holds every request of a short stream: the same verdict
  const LoadCheck sketched = judge_load(stream([](int i) { return 0.2 * i; }, 40, PercentileMode::sketch), s);
  CHECK(sketched.wait_growth == Approx(0.2));
  CHECK_FALSE(sketched.keeps_up);
}

TEST_CASE("SLO targets are checked against the run's percentiles", "[verdict]") {
  ServingSummary s;
  s.ttft_s.p50 = 0.2;
  s.ttft_s.p99 = 3.0;
  s.tpot_s.p90 = 0.04;
  s.requests = 100;
  s.makespan_s = 10;
  s.goodput_rps = 9.5;  // 95 of the 100 requests met the per-request targets
  SloTargets t;
  t.ttft_s[0] = 0.5;   // p50 <= 0.5 s: met
  t.ttft_s[2] = 2.0;   // p99 <= 2 s: missed by 50 %
  t.tpot_s[1] = 0.05;  // p90 <= 50 ms: met
  t.goodput_fraction = 0.99;
  const Verdict v = judge_stream(stream([](int) { return 0.0; }), s, t);
  REQUIRE(v.slo.size() == 4);
  CHECK(v.slo[0].metric == "ttft_p50_s");
  CHECK(v.slo[0].met);
  CHECK(v.slo[1].metric == "ttft_p99_s");
  CHECK_FALSE(v.slo[1].met);
  CHECK(v.slo[2].met);
  CHECK(v.slo[3].achieved == Approx(0.95));
  CHECK_FALSE(v.slo[3].met);
  CHECK_FALSE(v.ok());
  CHECK(v.headline() ==
        "MISSES SLO: ttft_p99_s 3.00 s > 2.00 s target (+50 %); MISSES SLO: 95.0 % of requests meet the per-request "
        "targets, 99.0 % required");
}

TEST_CASE("a fixed batch's single latency is every percentile", "[verdict]") {
  Prediction p;
  p.ttft_s = 0.8;
  p.tpot_s = 0.03;
  p.e2e_s = 8;
  SloTargets t;
  t.tpot_s[2] = 0.025;
  t.e2e_s[0] = 10;
  const Verdict v = judge_fixed(p, t);
  REQUIRE(v.slo.size() == 2);
  CHECK_FALSE(v.slo[0].met);
  CHECK(v.slo[0].achieved == 0.03);
  CHECK(v.slo[1].met);
  CHECK_FALSE(v.load.judged);
  CHECK(v.headline() == "MISSES SLO: tpot_p99_s 30.0 ms > 25.0 ms target (+20 %)");
  CHECK(judge_fixed(p, SloTargets{}).headline() == "no SLO set");
}
