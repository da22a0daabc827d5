#include <catch2/catch.hpp>

#include <vector>

#include "config/catalog.hpp"
#include "serving_config_helpers.hpp"
#include "profile/gpu_profile.hpp"
#include "run/speculation.hpp"
#include "serving/scheduler.hpp"
#include "timing/iteration_cost.hpp"
#include "util/error.hpp"

using namespace dssim;

TEST_CASE("speculation: tokens a step emits on average, sum of a^i for i = 0..k", "[serving][speculation]") {
  Speculation sp;
  CHECK(sp.expected_tokens() == 1.0);  // off
  sp.method = Speculation::Method::mtp;
  sp.tokens = 1;
  sp.acceptance = 0.85;
  CHECK(sp.expected_tokens() == Approx(1.85));
  sp.method = Speculation::Method::draft;
  sp.tokens = 4;
  sp.acceptance = 0.7;
  CHECK(sp.expected_tokens() == Approx(1 + 0.7 + 0.49 + 0.343 + 0.2401));
}

TEST_CASE("speculation: the acceptance draws average to the expectation and are reproducible", "[serving][speculation]") {
  KvQueue q(1000, 4, 8);
  q.enable_speculation(4, 0.7, 42);
  CHECK(q.step_tokens() == 5);
  double sum = 0;
  const int n = 200000;
  SeqState s = test::seq(0, 4, 1LL << 40);
  for (int i = 0; i < n; ++i) {
    s.id = i % 97;
    s.generated = i;
    const long long e = q.decode_emits(&s);
    REQUIRE(e >= 1);
    REQUIRE(e <= 5);
    sum += static_cast<double>(e);
  }
  // mean 2.7731; a step's standard deviation is about 1.4, so the mean of 200,000 is within 0.01
  CHECK(sum / n == Approx(2.7731).margin(0.01));
  s.id = 7;
  s.generated = 123;
  const long long once = q.decode_emits(&s);
  CHECK(q.decode_emits(&s) == once);  // a function of (seed, sequence, progress), not of call order
  s.output = 125;                     // two tokens left: never more
  CHECK(q.decode_emits(&s) <= 2);
}

TEST_CASE("speculation: a continuous decode step holds k + 1 positions and emits the accepted tokens", "[serving][speculation]") {
  ServingConfig cfg = test::serving_config("continuous", "speculative = \"mtp\"\nspeculative_tokens = 3\nacceptance_rate = 0.0\n");
  ReplicaScheduler sched(cfg, 100);
  SeqState a = test::seq(0, 4, 9);
  REQUIRE(sched.enqueue(&a));
  IterationPlan p;
  std::vector<SeqState*> done;
  sched.plan(0, p);  // prefill: 4 tokens, first output token
  sched.complete(p, 1, done);
  CHECK(a.generated == 1);
  sched.plan(1, p);
  CHECK(p.shape.decode == 1);
  CHECK(p.shape.decode_tokens == 4);
  CHECK(p.shape.decode_context_sum == 4 + 4);  // the 4 cached and the 4 positions verified
  CHECK(a.blocks == 2);                         // 8 tokens of KV, 4-token blocks
  sched.complete(p, 2, done);
  CHECK(a.generated == 2);  // acceptance 0: only the target's own token
  CHECK(a.cached == 5);
  CHECK(sched.decode_steps() == 1);
  CHECK(sched.decode_tokens() == 1);
}

TEST_CASE("speculation: with every draft accepted a 9-token answer takes 2 verify steps after its prefill", "[serving][speculation]") {
  ServingConfig cfg = test::serving_config("chunked", "speculative = \"mtp\"\nspeculative_tokens = 3\nacceptance_rate = 0.999\ntoken_budget = 64\n");
  ReplicaScheduler sched(cfg, 100);
  SeqState a = test::seq(0, 4, 9);
  REQUIRE(sched.enqueue(&a));
  IterationPlan p;
  std::vector<SeqState*> done;
  int iterations = 0;
  for (double t = 0; done.empty(); t += 1) {
    sched.plan(t, p);
    sched.complete(p, t + 1, done);
    ++iterations;
  }
  CHECK(iterations == 3);  // 1 (prefill) + 4 + 4 tokens
  CHECK(a.generated == 9);
  CHECK(a.finish_s == 3);
  CHECK(sched.decode_tokens() == 8);
}

TEST_CASE("speculation settings: policy, draft model and acceptance rate, nothing set while it is off", "[serving][speculation]") {
  CHECK_THAT(test::serving_config_error("static", "speculative = \"mtp\"\n"),
             Catch::Contains("speculative decoding needs a policy that schedules every iteration (continuous or chunked)"));
  CHECK_THAT(test::serving_config_error("continuous", "speculative = \"draft\"\nacceptance_rate = 0.7\n"),
             Catch::Contains("speculative = \"draft\" needs draft_model"));
  CHECK_THAT(test::serving_config_error("continuous", "speculative = \"draft\"\ndraft_model = \"x\"\n"),
             Catch::Contains("speculative = \"draft\" needs acceptance_rate"));
  CHECK_THAT(test::serving_config_error("continuous", "speculative = \"mtp\"\ndraft_model = \"x\"\n"),
             Catch::Contains("draft_model and draft_weights are for speculative = \"draft\""));
  CHECK_THAT(test::serving_config_error("continuous", "speculative_tokens = 2\n"),
             Catch::Contains("test.toml:4: key 'serving.speculative_tokens': a setting of speculative decoding, which is off"));
  CHECK(test::serving_config_error("continuous", "speculative = \"none\"\nspeculative_tokens = 2\n").empty());  // an A/B keeps them
  CHECK(test::serving_config("continuous", "speculative = \"mtp\"\n").speculation.acceptance == Approx(0.85));
}

TEST_CASE("a verify step of k + 1 positions per sequence costs between one decode step and that many sequences", "[serving][speculation]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  ModelCard m = cat.model("deepseek-r1-distill-qwen-32b");
  GpuCard g = cat.gpu("h200-sxm");
  RuntimeProfile rt = cat.runtime("pytorch");
  KernelCostModel k(g, load_gpu_profile(g, cat));
  ForwardConfig fc;
  IterationCostModel ic(m, fc, k, rt, true, CommLinks{});
  auto decode = [&](int seqs, int q, double context) {
    IterationShape s;
    s.decode = seqs;
    s.decode_tokens = q;
    s.decode_context_sum = seqs * context;
    s.decode_context_max = static_cast<long long>(context);
    return ic.evaluate(s).gpu_s;
  };
  const double one = decode(8, 1, 2000), verify = decode(8, 5, 2000), wide = decode(40, 1, 2000);
  CHECK(verify > one);
  // Same 40 rows through the GEMMs, but 8 sequences' KV read once instead of 40 sequences' KV.
  CHECK(verify < wide);
  // Memory-bound at this size: five positions cost far less than five steps.
  CHECK(verify < 2 * one);
}

TEST_CASE("the drafter's passes: the first with the prefill, k - 1 more decode-only", "[serving][speculation]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  ModelCard draft = cat.model("deepseek-r1-distill-qwen-1.5b");
  GpuCard g = cat.gpu("h200-sxm");
  RuntimeProfile rt = cat.runtime("pytorch");
  KernelCostModel k(g, load_gpu_profile(g, cat));
  ForwardConfig fc;
  IterationCostModel d(draft, fc, k, rt, true, CommLinks{});
  IterationShape s;
  s.decode = 6;
  s.decode_tokens = 4;
  s.decode_context_sum = 6 * 1000;
  s.decode_context_max = 1000;
  IterationCostBreakdown r;
  add_draft_passes(r, d, s, 3, true);
  IterationShape one;
  one.decode = 6;
  one.decode_context_sum = 6 * 1000;
  one.decode_context_max = 1000;
  const double pass = d.evaluate(one).gpu_s;
  CHECK(r.gpu_s == Approx(3 * pass));
  // A sequence whose prompt ends this iteration needs drafts too.
  IterationShape p;
  p.prefill.push_back({500, 500, true});
  IterationCostBreakdown q;
  add_draft_passes(q, d, p, 2, true);
  IterationShape first;
  first.prefill = p.prefill;
  IterationShape next;
  next.decode = 1;
  next.decode_context_sum = 500;
  next.decode_context_max = 0;
  CHECK(q.gpu_s == Approx(d.evaluate(first).gpu_s + d.evaluate(next).gpu_s));
}
