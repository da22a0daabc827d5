#include <catch2/catch.hpp>

#include <vector>

#include "serving_config_helpers.hpp"
#include "serving/prefix_cache.hpp"
#include "serving/scheduler.hpp"
#include "util/error.hpp"

using namespace dssim;

namespace {
using Hashes = std::vector<std::uint64_t>;
}  // namespace

TEST_CASE("an LRU tier evicts the least recently used block", "[serving][prefix]") {
  LruBlocks t(2);
  t.touch(1);
  t.touch(2);
  t.touch(3);  // 1 is the oldest
  CHECK(!t.contains(1));
  CHECK(t.contains(2));
  CHECK(t.contains(3));
  t.touch(2);  // now 3 is the oldest
  t.touch(4);
  CHECK(!t.contains(3));
  CHECK(t.contains(2));
  CHECK(t.evictions() == 2);
  t.resize(1);  // keeps the most recent
  CHECK(t.contains(4));
  CHECK(t.size() == 1);
  LruBlocks none(0);
  none.touch(7);
  CHECK(!none.contains(7));
}

TEST_CASE("a lookup takes the leading blocks held, stops at the first miss and leaves the last token", "[serving][prefix]") {
  PrefixCache c(4, 0, 0);
  c.set_gpu_capacity(100);
  const Hashes a{1, 2, 3};
  c.insert(a, 10);  // full blocks: 10 / 4 = 2 (1 and 2); the partial third is not cached
  CHECK(c.tier(CacheTier::gpu).size() == 2);
  const PrefixHit h = c.peek(Hashes{1, 2, 3}, 12);
  CHECK(h.blocks == 2);
  CHECK(h.tokens[0] == 8);
  CHECK(c.peek(Hashes{1, 2}, 8).total() == 7);  // 8 cached, but the prompt's last token is computed
  CHECK(c.peek(Hashes{5, 2}, 8).total() == 0);  // block 2 without block 1 is a different prefix
  CHECK(c.peek(Hashes{1, 9, 2}, 12).total() == 4);
  CHECK(c.peek(Hashes{1}, 1).total() == 0);
  CHECK(c.stats().lookups == 0);  // peeks do not count
  const PrefixHit t = c.take(Hashes{1, 2, 3}, 12);
  CHECK(t.total() == 8);
  CHECK(c.stats().lookups == 1);
  CHECK(c.stats().looked_tokens == 12);
  CHECK(c.stats().hit_tokens[0] == 8);
}

TEST_CASE("written-through tiers: a block the GPU lost is read from host memory, then sits on the GPU again", "[serving][prefix]") {
  PrefixCache c(4, 2, 0);
  c.set_gpu_capacity(1);
  c.insert(Hashes{1, 2}, 8);  // tail first: the GPU keeps the head block 1; host memory keeps both
  CHECK(c.tier(CacheTier::gpu).contains(1));
  CHECK(!c.tier(CacheTier::gpu).contains(2));
  CHECK(c.tier(CacheTier::host).size() == 2);
  const PrefixHit h = c.take(Hashes{1, 2, 3}, 12);
  CHECK(h.tokens[static_cast<int>(CacheTier::gpu)] == 4);
  CHECK(h.tokens[static_cast<int>(CacheTier::host)] == 4);
  CHECK(h.tokens[static_cast<int>(CacheTier::ssd)] == 0);
  CHECK(c.stats().hits() == 8);
  // The one-block GPU tier took block 2 up, then block 1 (head last: the most recent).
  CHECK(c.tier(CacheTier::gpu).contains(1));
}

TEST_CASE("the GPU tier lives in the free KV blocks: running sequences crowd it out", "[serving][prefix]") {
  // 4 KV blocks of 4 tokens; prefix blocks of 4 tokens.
  ServingConfig cfg = test::serving_config("continuous", "prefix_cache = true\n");
  cfg.prefix_block_tokens = 4;
  ReplicaScheduler sched(cfg, 4);
  const Hashes ha{1, 2}, hb{1, 2, 5};
  SeqState a = test::seq(0, 8, 3, &ha), b = test::seq(1, 9, 1, &hb);
  REQUIRE(sched.enqueue(&a));
  IterationPlan p;
  std::vector<SeqState*> done;
  sched.plan(0, p);  // A prefills 8 tokens: 2 blocks held, 2 free
  REQUIRE(p.shape.prefill.size() == 1);
  CHECK(p.shape.prefill[0].tokens == 8);
  sched.complete(p, 1, done);  // its prompt's blocks 1 and 2 go into the cache (2 free blocks hold both)
  CHECK(sched.prefix_cache()->tier(CacheTier::gpu).size() == 2);
  sched.plan(1, p);  // A decodes its 9th token: a third block, 1 free: the tier keeps the head, block 1
  CHECK(p.shape.decode == 1);
  CHECK(sched.prefix_cache()->tier(CacheTier::gpu).size() == 1);
  CHECK(sched.prefix_cache()->tier(CacheTier::gpu).contains(1));
  sched.complete(p, 2, done);
  REQUIRE(sched.enqueue(&b));
  CHECK(sched.prefix_hit(&b) == 4);  // only block 1 is left
}

TEST_CASE("continuous batching prefills only what the cache lacks, attending to the whole prompt", "[serving][prefix]") {
  ServingConfig cfg = test::serving_config("continuous", "prefix_cache = true\nmax_batched_tokens = 12\n");
  cfg.prefix_block_tokens = 4;
  ReplicaScheduler sched(cfg, 100);
  const Hashes ha{1, 2, 3}, hb{1, 2, 3, 4}, hc{7, 8, 9, 10};
  SeqState a = test::seq(0, 12, 2, &ha), b = test::seq(1, 14, 2, &hb), c = test::seq(2, 14, 2, &hc);
  IterationPlan p;
  std::vector<SeqState*> done;
  sched.enqueue(&a);
  sched.plan(0, p);
  sched.complete(p, 1, done);  // A's 3 full blocks are cached
  sched.enqueue(&b);
  sched.enqueue(&c);
  sched.plan(1, p);
  // B finds 12 of its 14 tokens (blocks 1-3) and prefills 2 with a 14-token context; C finds none:
  // 2 + 14 tokens exceed the 12-token budget, so C waits for the next iteration.
  REQUIRE(p.shape.prefill.size() == 1);
  CHECK(p.shape.prefill[0].tokens == 2);
  CHECK(p.shape.prefill[0].context == 14);
  CHECK(b.cache_hit == 12);
  CHECK(p.shape.load_tokens_host == 0);
  sched.complete(p, 2, done);
  CHECK(b.generated == 1);  // its first token
  CHECK(sched.prefix_cache()->stats().looked_tokens == 12 + 14);
  CHECK(sched.prefix_cache()->stats().hits() == 12);
}

TEST_CASE("chunked prefill starts a cached prompt at its first missing token, and host hits are loads", "[serving][prefix]") {
  ServingConfig cfg = test::serving_config("chunked", "prefix_cache = true\nprefix_cache_host_gib = 1\ntoken_budget = 8\n");
  cfg.prefix_block_tokens = 4;
  // 3 KV blocks of 4 tokens on the GPU (a 9-token request needs them all), host tier of 4 prefix blocks
  ReplicaScheduler sched(cfg, 3, 4, 0);
  const Hashes h{1, 2, 3};
  SeqState a = test::seq(0, 8, 1, &h), b = test::seq(1, 8, 1, &h);
  IterationPlan p;
  std::vector<SeqState*> done;
  REQUIRE(sched.enqueue(&a));
  sched.plan(0, p);  // A: 8 tokens take 2 blocks; the GPU tier has room for one prefix block
  REQUIRE(p.shape.prefill.size() == 1);
  CHECK(p.shape.prefill[0].tokens == 8);
  sched.complete(p, 1, done);  // A finishes with its first token and frees its blocks
  REQUIRE(done.size() == 1);
  CHECK(sched.prefix_cache()->tier(CacheTier::host).size() == 2);
  CHECK(sched.prefix_cache()->tier(CacheTier::gpu).size() == 1);  // the head, block 1
  REQUIRE(sched.enqueue(&b));
  sched.plan(1, p);  // B: block 1 on the GPU (4 tokens), block 2 from host memory (3: the last is computed)
  REQUIRE(p.shape.prefill.size() == 1);
  CHECK(p.shape.prefill[0].tokens == 1);
  CHECK(p.shape.prefill[0].context == 8);
  CHECK(p.shape.load_tokens_host == 3);
  CHECK(p.shape.load_tokens_ssd == 0);
  CHECK(b.cache_hit == 7);
  sched.plan(2, p);  // the loads belong to the iteration that started B, not the next one
  CHECK(p.shape.load_tokens_host == 0);
}

TEST_CASE("prefix cache settings: the policies that admit one by one, and nothing set while it is off", "[serving][prefix]") {
  CHECK_THAT(test::serving_config_error("static", "prefix_cache = true\n"),
             Catch::Contains("prefix caching needs a policy that admits sequences one by one (continuous or chunked); "
                             "policy = \"static\" prefills whole batches"));
  CHECK_THAT(test::serving_config_error("continuous", "prefix_cache_host_gib = 8\n"),
             Catch::Contains("test.toml:4: key 'serving.prefix_cache_host_gib': a setting of the prefix cache, which is off; set prefix_cache = true"));
  CHECK_THAT(test::serving_config_error("continuous", "router = \"prefix_aware\"\n"),
             Catch::Contains("router = \"prefix_aware\" routes by the prefix cache, which is off"));
  CHECK_THAT(test::serving_config_error("continuous", "router_balance_slack = 4\n"),
             Catch::Contains("test.toml:4: key 'serving.router_balance_slack': a setting of router = \"prefix_aware\""));
  CHECK(test::serving_config_error("chunked", "prefix_cache = true\nrouter = \"prefix_aware\"\nrouter_balance_slack = 4\n").empty());
  CHECK(test::serving_config_error("chunked", "prefix_cache = false\nprefix_cache_host_gib = 8\n").empty());  // an A/B keeps them
}
