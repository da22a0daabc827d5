#include <catch2/catch.hpp>

#include <vector>

#include "config/toml_table.hpp"
#include "serving/policy_static.hpp"
#include "serving/scheduler.hpp"
#include "serving/server_loop.hpp"
#include "util/error.hpp"

using namespace dssim;

namespace {
SeqState seq(long long id, long long prompt, long long output) {
  SeqState s;
  s.id = id;
  s.prompt = prompt;
  s.output = output;
  return s;
}
// [serving] as a scenario writes it: the policy, its own keys, a 4-token KV block.
ServingConfig config(const std::string& policy, int max_batch, const std::string& extra = "") {
  toml::table doc = toml::parse("[serving]\npolicy = \"" + policy + "\"\nblock_size = 4\n" + extra);
  TomlTable sv(*doc["serving"].as_table(), "test.toml", "serving");
  ServingConfig c;
  c.max_batch = max_batch;
  read_serving(sv, c);
  sv.finish();
  return c;
}
}  // namespace

TEST_CASE("the article's adaptive_batching, never more than are waiting", "[serving]") {
  CHECK(adaptive_batch_size(40, 32, 16, 8, 4) == 32);  // > 16: min(queue, max_batch)
  CHECK(adaptive_batch_size(20, 32, 16, 8, 4) == 20);
  CHECK(adaptive_batch_size(12, 32, 16, 8, 4) == 12);  // > 8: 12 // 2 + 8 = 14, but only 12 wait
  CHECK(adaptive_batch_size(9, 32, 16, 8, 4) == 9);
  CHECK(adaptive_batch_size(5, 32, 16, 8, 4) == 4);    // else 4
  CHECK(adaptive_batch_size(3, 32, 16, 8, 4) == 3);
  CHECK(adaptive_batch_size(12, 10, 16, 8, 4) == 10);
  CHECK(adaptive_batch_size(12, 32, 16, 2, 4) == 8);   // 12 // 2 + 2
}

TEST_CASE("batch policies by name: each reads its own keys, and refuses another's", "[serving]") {
  CHECK(policy_names() == std::vector<std::string>{"adaptive", "chunked", "continuous", "static"});
  CHECK(config("continuous", 8, "max_batched_tokens = 1024\n").batch_policy().settings() == ", max_batched_tokens 1024");
  CHECK(config("chunked", 8, "token_budget = 64\n").batch_policy().iteration_tokens(4096, 8) == 64);
  CHECK(config("static", 8).batch_policy().iteration_tokens(100, 8) == 800);  // a padded batch
  CHECK(ServingConfig{}.batch_policy().name() == "continuous");
  try {
    config("static", 8, "token_budget = 64\n");
    FAIL("a chunked key was accepted by the static policy");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("test.toml:4: key 'serving.token_budget' does not apply here: it is for policy = chunked"));
  }
  try {
    config("continous", 8);
    FAIL("a misspelled policy was accepted");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("unknown policy 'continous'; expected one of adaptive, chunked, continuous, static (did you mean 'continuous'?)"));
  }
}

TEST_CASE("static batching pads prompts, runs the batch to its longest output, admits nobody meanwhile", "[serving]") {
  ReplicaScheduler sch(config("static", 8), 1000);
  std::vector<SeqState> s{seq(0, 10, 2), seq(1, 20, 3), seq(2, 5, 1), seq(3, 7, 2)};
  for (int i = 0; i < 3; ++i) REQUIRE(sch.enqueue(&s[i]));
  IterationPlan p;
  std::vector<SeqState*> done;
  sch.plan(0.0, p);
  REQUIRE(p.prefill.size() == 3);
  for (const auto& c : p.shape.prefill) CHECK(c.tokens == 20);  // padded to the longest prompt
  sch.enqueue(&s[3]);  // arrives while the batch runs
  sch.complete(p, 1.0, done);
  REQUIRE(done.size() == 1);  // the one-token output is done after the prefill
  CHECK(done[0]->id == 2);
  CHECK(s[0].first_token_s == 1.0);
  CHECK(s[0].start_s == 0.0);
  sch.plan(1.0, p);
  CHECK(p.prefill.empty());
  CHECK(p.shape.decode == 3);  // the finished sequence still steps as padding
  CHECK(p.shape.decode_context_sum == Approx(3 * 21));
  done.clear();
  sch.complete(p, 2.0, done);
  REQUIRE(done.size() == 1);
  CHECK(done[0]->id == 0);
  sch.plan(2.0, p);
  CHECK(p.shape.decode == 3);
  CHECK(p.shape.decode_context_sum == Approx(3 * 22));
  done.clear();
  sch.complete(p, 3.0, done);
  REQUIRE(done.size() == 1);
  CHECK(done[0]->id == 1);
  CHECK(s[1].finish_s == 3.0);
  sch.plan(3.0, p);  // only now does the late request start
  REQUIRE(p.prefill.size() == 1);
  CHECK(p.prefill[0]->id == 3);
  CHECK(p.shape.prefill[0].tokens == 7);
  CHECK(sch.free_blocks() == 1000 - 3);  // ceil((7 + 2) / 4)
}

TEST_CASE("continuous batching: prefill first, finished leave, newest preempted and recomputed", "[serving]") {
  ServingConfig c = config("continuous", 2);
  ReplicaScheduler sch(c, 5);  // 5 blocks of 4 tokens
  std::vector<SeqState> s{seq(0, 6, 5), seq(1, 6, 5), seq(2, 3, 1)};
  for (auto& x : s) REQUIRE(sch.enqueue(&x));
  IterationPlan p;
  std::vector<SeqState*> done;
  sch.plan(0.0, p);
  REQUIRE(p.prefill.size() == 2);  // max_batch 2: the third waits
  CHECK(p.shape.prefill[0].tokens == 6);
  CHECK(sch.free_blocks() == 1);
  sch.complete(p, 1.0, done);
  CHECK(s[0].generated == 1);
  CHECK(s[0].cached == 6);
  sch.plan(1.0, p);  // no admission possible (batch full): decode both, 7 tokens fit in 2 blocks
  CHECK(p.shape.decode == 2);
  CHECK(p.shape.decode_context_sum == Approx(14));
  sch.complete(p, 2.0, done);
  sch.plan(2.0, p);  // 8 tokens still fit in 2 blocks each
  sch.complete(p, 3.0, done);
  sch.plan(3.0, p);  // 9 tokens need a third block each: one free block, so the newest is preempted
  CHECK(sch.preemptions() == 1);
  REQUIRE(p.shape.decode == 1);
  CHECK(p.decode[0]->id == 0);
  CHECK(s[1].preemptions == 1);
  CHECK(s[1].target == 6 + 3);  // prompt + the 3 tokens it had generated
  CHECK(s[1].blocks == 0);
  sch.complete(p, 4.0, done);
  CHECK(s[0].generated == 4);
  sch.plan(4.0, p);  // its 9-token recompute needs 3 blocks, 2 are free: the survivor decodes on
  CHECK(p.prefill.empty());
  REQUIRE(p.shape.decode == 1);
  sch.complete(p, 5.0, done);
  REQUIRE(done.size() == 1);
  CHECK(done[0]->id == 0);
  CHECK(sch.free_blocks() == 5);  // the finished sequence gave its blocks back
  sch.plan(5.0, p);  // prefill first: the preempted sequence is back at the head of the line
  REQUIRE(p.prefill.size() == 2);
  CHECK(p.prefill[0]->id == 1);
  CHECK(p.shape.prefill[0].tokens == 9);
  CHECK(p.prefill[1]->id == 2);
  done.clear();
  sch.complete(p, 6.0, done);
  CHECK(s[1].generated == 4);  // the recompute's prefill yields its next token
  CHECK(s[1].first_token_s == 1.0);  // the first token was long delivered
  REQUIRE(done.size() == 1);
  CHECK(done[0]->id == 2);
}

TEST_CASE("chunked prefill: decodes first, then prompt chunks within the token budget", "[serving]") {
  ServingConfig c = config("chunked", 8, "token_budget = 8\n");
  ReplicaScheduler sch(c, 1000);
  std::vector<SeqState> s{seq(0, 20, 3), seq(1, 5, 2)};
  sch.enqueue(&s[0]);
  IterationPlan p;
  std::vector<SeqState*> done;
  sch.plan(0.0, p);
  REQUIRE(p.shape.prefill.size() == 1);
  CHECK(p.shape.prefill[0].tokens == 8);
  CHECK_FALSE(p.shape.prefill[0].last);
  sch.complete(p, 1.0, done);
  CHECK(s[0].first_token_s < 0);
  sch.enqueue(&s[1]);
  sch.plan(1.0, p);  // 8 more of the first prompt use the whole budget
  REQUIRE(p.shape.prefill.size() == 1);
  CHECK(p.shape.prefill[0].tokens == 8);
  CHECK(p.shape.prefill[0].context == 16);
  sch.complete(p, 2.0, done);
  sch.plan(2.0, p);  // its last 4 tokens, then 4 of the second prompt
  REQUIRE(p.shape.prefill.size() == 2);
  CHECK(p.shape.prefill[0].tokens == 4);
  CHECK(p.shape.prefill[0].last);
  CHECK(p.shape.prefill[1].tokens == 4);
  sch.complete(p, 3.0, done);
  CHECK(s[0].first_token_s == 3.0);
  sch.plan(3.0, p);  // one decode + the second prompt's last token
  CHECK(p.shape.decode == 1);
  REQUIRE(p.shape.prefill.size() == 1);
  CHECK(p.shape.prefill[0].tokens == 1);
  CHECK(p.shape.prefill[0].last);
}

TEST_CASE("a request longer than the whole KV cache is rejected, not dropped silently", "[serving]") {
  ReplicaScheduler sch(config("continuous", 8), 2);  // 8 tokens of cache
  SeqState big = seq(0, 6, 4), ok = seq(1, 4, 4);
  CHECK_FALSE(sch.enqueue(&big));
  CHECK(big.rejected);
  CHECK(sch.enqueue(&ok));
  CHECK(sch.outstanding() == 1);
}

TEST_CASE("the serving loop: graph batch and context buckets, host time per step and per prefill", "[serving]") {
  ServingConfig c;
  c.graph_batch_sizes = {1, 2, 4, 8};
  c.graph_context_bucket = 128;
  c.step_overhead_s = 300e-6;
  c.prefill_overhead_s = 0.05;
  IterationShape dec;
  dec.decode = 3;
  dec.decode_context_sum = 3 * 200.0;
  dec.decode_context_max = 201;
  IterationShape padded;
  ServerStep s = server_step(c, dec, true, padded);
  CHECK(s.graph_allowed);
  CHECK(s.shape->decode == 4);                        // padded to the graph of 4
  CHECK(s.shape->decode_context_max == 256);          // 201 rounded up to 128s
  CHECK(s.shape->decode_context_sum == Approx(4 * 256.0));  // every row attends to the bucket
  CHECK(s.after_s == Approx(300e-6));
  dec.decode = 9;                                    // above the largest graph: eager, unpadded
  dec.decode_context_sum = 9 * 200.0;
  s = server_step(c, dec, true, padded);
  CHECK(s.shape == &dec);                            // not copied
  CHECK_FALSE(s.graph_allowed);
  CHECK(s.shape->decode == 9);
  CHECK(s.shape->decode_context_sum == Approx(1800.0));
  IterationShape pre;
  pre.prefill.push_back({100, 100, true});
  s = server_step(c, pre, true, padded);                     // a prefill: eager, and the prefill overhead
  CHECK(s.after_s == Approx(0.05 + 300e-6));
  dec.decode = 3;
  dec.decode_context_sum = 600;
  s = server_step(c, dec, false, padded);                    // no graphs at all: nothing padded
  CHECK(s.shape->decode == 3);
  CHECK(s.shape->decode_context_max == 201);
}

TEST_CASE("steady stretches: how far a decode plan repeats, until a finish or the cache runs short", "[serving][coalesce]") {
  ReplicaScheduler sch(config("continuous", 4), 4);  // 4 blocks of 4 tokens
  std::vector<SeqState> s{seq(0, 6, 10), seq(1, 3, 5), seq(2, 8, 1)};
  REQUIRE(sch.enqueue(&s[0]));
  REQUIRE(sch.enqueue(&s[1]));
  IterationPlan p;
  std::vector<SeqState*> done;
  sch.plan(0.0, p);
  CHECK(sch.steady(p).steps == 0);  // a prefill never repeats
  sch.complete(p, 1.0, done);       // A holds 2 blocks for 6 tokens, B 1 for 3: one free
  sch.plan(1.0, p);
  REQUIRE(p.shape.decode == 2);
  // Step j needs A: blocks_for(6 + j) - 2 and B: blocks_for(3 + j) - 1 more blocks: j = 2 needs 0 + 1,
  // j = 3 needs 1 + 1 > 1 free. (The first finish, B's, is 4 steps away.)
  SteadyRun r = sch.steady(p);
  CHECK(r.steps == 2);
  CHECK(r.arrivals_matter);  // nobody waits and the batch has room: an arrival would be admitted
  REQUIRE(sch.enqueue(&s[2]));  // C needs 2 blocks: blocked behind the shrinking free pool
  CHECK_FALSE(sch.steady(p).arrivals_matter);
  // Two steps at once leave the queue as two plan/complete rounds would.
  REQUIRE(sch.advance(p, 1));  // the first step, then the plan of the second
  CHECK(s[0].cached == 7);
  CHECK(s[0].generated == 2);
  CHECK(s[1].blocks == 2);  // 5 tokens of B after the second step
  CHECK(sch.free_blocks() == 0);
  CHECK(p.shape.decode_context_sum == Approx(8 + 5));
  CHECK(p.shape.decode_context_max == 8);
}

TEST_CASE("a stretch applied at once equals the same iterations planned and completed one by one", "[serving][coalesce]") {
  for (const std::string policy : {"continuous", "chunked", "static"}) {
    INFO(policy);
    ServingConfig c = config(policy, 8, policy == "chunked" ? "token_budget = 64\n" : "");
    ReplicaScheduler step(c, 40), bulk(c, 40);
    std::vector<SeqState> a{seq(0, 9, 30), seq(1, 14, 22), seq(2, 5, 41)}, b = a;
    for (std::size_t i = 0; i < a.size(); ++i) {
      step.enqueue(&a[i]);
      bulk.enqueue(&b[i]);
    }
    IterationPlan pa, pb;
    std::vector<SeqState*> da, db;
    double t = 0;
    while (step.has_work()) {
      step.plan(t, pa);
      bulk.plan(t, pb);
      const SteadyRun r = bulk.steady(pb);
      const long long k = r.steps > 1 ? r.steps - 1 : 0;  // all but the last, which may finish someone
      for (long long j = 0; j < k; ++j) {
        da.clear();
        step.complete(pa, t + 1, da);
        REQUIRE(da.empty());
        step.plan(t + 1, pa);
        t += 1;
      }
      if (k > 0) REQUIRE(bulk.advance(pb, k));
      CHECK(pa.shape.decode == pb.shape.decode);
      CHECK(pa.shape.decode_context_sum == pb.shape.decode_context_sum);
      CHECK(pa.shape.decode_context_max == pb.shape.decode_context_max);
      t += 1;
      da.clear();
      db.clear();
      step.complete(pa, t, da);
      bulk.complete(pb, t, db);
      CHECK(da.size() == db.size());
      CHECK(step.free_blocks() == bulk.free_blocks());
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].generated == b[i].generated);
      CHECK(a[i].cached == b[i].cached);
      CHECK(a[i].first_token_s == b[i].first_token_s);
      CHECK(a[i].finish_s == b[i].finish_s);
    }
    CHECK_FALSE(bulk.has_work());
  }
}

TEST_CASE("chunked and static stretches: a spent token budget and a batch in flight ignore arrivals", "[serving][coalesce]") {
  ReplicaScheduler ch(config("chunked", 8, "token_budget = 2\n"), 100);
  std::vector<SeqState> s{seq(0, 2, 5), seq(1, 2, 3)};
  ch.enqueue(&s[0]);
  ch.enqueue(&s[1]);
  IterationPlan p;
  std::vector<SeqState*> done;
  ch.plan(0.0, p);  // the 2-token budget takes the first prompt only
  ch.complete(p, 1.0, done);
  ch.plan(1.0, p);  // one decode + the second prompt's first token
  ch.complete(p, 2.0, done);
  ch.plan(2.0, p);  // one decode + the second prompt's last token
  ch.complete(p, 3.0, done);
  ch.plan(3.0, p);  // two decodes spend the whole budget
  REQUIRE(p.shape.decode == 2);
  REQUIRE(p.prefill.empty());
  SteadyRun r = ch.steady(p);
  CHECK(r.steps == 2);  // B: 3 outputs, 1 generated -> its last token in 2 steps
  CHECK_FALSE(r.arrivals_matter);

  ReplicaScheduler st(config("static", 8), 100);
  std::vector<SeqState> t{seq(0, 4, 6), seq(1, 4, 3)};
  st.enqueue(&t[0]);
  st.enqueue(&t[1]);
  st.plan(0.0, p);
  st.complete(p, 1.0, done);
  st.plan(1.0, p);
  r = st.steady(p);
  CHECK(r.steps == 2);  // the 3-token output ends first
  CHECK_FALSE(r.arrivals_matter);
}
