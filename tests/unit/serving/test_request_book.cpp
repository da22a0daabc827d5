#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "test_gpu.hpp"
#include "serving/request_book.hpp"
#include "serving/request_csv.hpp"
#include "serving/serving_metrics.hpp"
#include "serving/serving_sim.hpp"
#include "util/error.hpp"
#include "workload/request_source.hpp"
#include "workload/synthetic.hpp"

using namespace dssim;
using dssim::test::bus_gpu;

namespace {
SeqState done(long long index, double arrival, double start, double first, double finish, long long output) {
  SeqState q;
  q.id = q.index = index;
  q.arrival_s = arrival;
  q.start_s = start;
  q.first_token_s = first;
  q.finish_s = finish;
  q.prompt = 10;
  q.output = output;
  q.generated = output;
  return q;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("the request book by hand: latencies by stream position, goodput against the SLOs, rejections", "[serving][book]") {
  RequestBook b(PercentileMode::exact, 0.5, 0.1);
  // added in the order they finish, not the stream's
  b.add(done(2, 2.0, 2.0, 2.2, 3.2, 11));  // ttft .2, tpot .1: good
  b.add(done(0, 0.0, 0.5, 1.0, 1.5, 6));   // ttft 1.0: misses TTFT
  SeqState r;
  r.index = 1;
  r.arrival_s = 1.0;
  r.rejected = true;
  b.add(r);
  CHECK(b.requests() == 3);
  CHECK(b.completed() == 2);
  CHECK(b.rejected() == 1);
  CHECK(b.output_tokens() == 17);
  CHECK(b.good() == 1);
  CHECK(b.first_arrival() == 0.0);
  CHECK(b.last_arrival() == 2.0);
  REQUIRE(b.outcomes().size() == 3);
  CHECK(b.outcomes()[0].ttft == Approx(1.0));
  CHECK(b.outcomes()[0].queue == Approx(0.5));
  CHECK(b.outcomes()[0].service == Approx(1.0));
  CHECK(b.outcomes()[0].tpot == Approx(0.1));
  CHECK(b.outcomes()[1].state == RequestOutcome::State::rejected);
  CHECK(b.outcomes()[2].e2e == Approx(1.2));
  const std::vector<ArrivalWait> aw = b.arrival_waits();  // started ones, arrival order
  REQUIRE(aw.size() == 2);
  CHECK(aw[0].wait == Approx(0.5));
  CHECK(aw[1].arrival == 2.0);
  CHECK_THROWS_AS(b.add(done(2, 2.0, 2.0, 2.2, 3.2, 11)), Error);  // twice: an engine bug
  SeqState unfinished = done(5, 1, 1, -1, -1, 3);
  CHECK_THROWS_AS(b.add(unfinished), Error);
}

TEST_CASE("the sketch keeps a sample for the load check: every stride-th request, the stride doubling", "[serving][book]") {
  RequestBook b(PercentileMode::sketch);
  const long long n = static_cast<long long>(kLoadSampleCap) * 3 + 7;
  for (long long i = n - 1; i >= 0; --i) b.add(done(i, static_cast<double>(i), i + 0.25, i + 0.5, i + 1.0, 2));
  CHECK(b.outcomes().empty());
  CHECK(b.requests() == n);
  const std::vector<ArrivalWait> aw = b.arrival_waits();
  // n / 4 is within (cap / 2, cap]: every fourth request
  REQUIRE(aw.size() == static_cast<std::size_t>((n + 3) / 4));
  CHECK(aw.size() <= kLoadSampleCap);
  CHECK(aw[1].arrival == 4.0);
  CHECK(aw.back().arrival == static_cast<double>(((n - 1) / 4) * 4));
  CHECK(b.queue().count() == static_cast<std::uint64_t>(n));
  CHECK(b.queue().percentile(0.5) == Approx(0.25).epsilon(kLogHistogramError));
}

TEST_CASE("the requests CSV is in stream order whatever order requests end in, and whole or absent", "[serving][book]") {
  char dir[] = "/tmp/dssim_csv_XXXXXX";
  REQUIRE(mkdtemp(dir));
  const std::string path = std::string(dir) + "/r.csv";
  {
    RequestCsv csv(path, false, false);
    csv.add(done(1, 1.0, 1.0, 1.5, 2.0, 2));
    csv.add(done(2, 2.0, 2.0, 2.5, 3.0, 2));
    csv.add(done(0, 0.0, 0.0, 0.5, 4.0, 2));
    csv.commit();
  }
  CHECK(slurp(path) ==
        "id,arrival_s,start_s,first_token_s,finish_s,prompt_tokens,output_tokens,preemptions\n"
        "0,0,0,0.5,4,10,2,0\n1,1,1,1.5,2,10,2,0\n2,2,2,2.5,3,10,2,0\n");
  const std::string other = std::string(dir) + "/s.csv";
  {
    RequestCsv csv(other, true, true);
    csv.add(done(1, 1.0, 1.0, 1.5, 2.0, 2));  // request 0 never ends: an engine bug, and no file
    CHECK_THROWS_AS(csv.commit(), Error);
  }
  CHECK_FALSE(std::ifstream(other).good());
  std::remove(path.c_str());
  rmdir(dir);
}

TEST_CASE("a replay holds the requests in the system, not the stream, and sketch percentiles stay within their bound",
          "[serving][book]") {
  // 3,000 Poisson arrivals at 60 % load on one replica, 0.01 s iterations
  ArrivalSpec a;
  a.rate_per_s = 20;
  a.requests = 3000;
  a.seed = 11;
  LengthDist prompt, output;
  prompt.value = 32;
  output.kind = LengthDist::Kind::uniform;
  output.min = 1;
  output.max = 5;
  const std::vector<Request> reqs = synthesize(a, prompt, output);
  ServingConfig c;
  c.policy = make_policy("continuous", "test");
  c.max_batch = 4;
  c.slo_ttft_s = 0.02;
  const IterationCostFn cost = [](const IterationShape&) { return fixed_iteration(0.01); };
  ServingOptions keep;
  ServingOptions lean;
  lean.keep_requests = false;
  lean.percentiles = PercentileMode::sketch;
  const ServingRun all = run_serving(implicit_node(bus_gpu(), 1), bus_gpu(), 1, c, reqs, cost, 1000, keep);
  // the lean run draws its requests as it goes, from the same seed
  const ServingRun few = run_serving(implicit_node(bus_gpu(), 1), bus_gpu(), 1, c, *synthetic_source(a, prompt, output),
                                     cost, 1000, lean);
  const ServingRun drawn = run_serving(implicit_node(bus_gpu(), 1), bus_gpu(), 1, c, *synthetic_source(a, prompt, output),
                                       cost, 1000, keep);
  CHECK(all.seqs.size() == reqs.size());
  REQUIRE(drawn.seqs.size() == reqs.size());
  for (std::size_t i = 0; i < reqs.size(); ++i) {  // bit for bit, drawn or listed
    CHECK(drawn.seqs[i].arrival_s == all.seqs[i].arrival_s);
    CHECK(drawn.seqs[i].first_token_s == all.seqs[i].first_token_s);
    CHECK(drawn.seqs[i].finish_s == all.seqs[i].finish_s);
  }
  CHECK(few.seqs.empty());
  // the states in use at once: far fewer than the stream (each request is over within a few iterations)
  CHECK(few.seq_slots < 50);
  CHECK(few.seq_slots == all.seq_slots);
  const ServingSummary x = summarize(all, 1), y = summarize(few, 1);
  CHECK(x.completed == 3000);
  CHECK(y.completed == x.completed);
  CHECK(y.goodput_rps == x.goodput_rps);
  CHECK(y.ttft_s.mean == Approx(x.ttft_s.mean).epsilon(1e-12));
  CHECK(y.makespan_s == x.makespan_s);
  for (auto [e, s] : {std::pair{x.ttft_s, y.ttft_s}, {x.e2e_s, y.e2e_s}, {x.tpot_s, y.tpot_s}, {x.queue_s, y.queue_s}}) {
    CHECK(s.count == e.count);
    for (auto [pe, ps] : {std::pair{e.p50, s.p50}, {e.p90, s.p90}, {e.p99, s.p99}})
      CHECK(std::abs(ps - pe) <= kLogHistogramError * pe * (1 + 1e-9));
  }
}
