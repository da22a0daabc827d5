#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "parallel/moe_routing.hpp"
#include "model/operators.hpp"
#include "util/error.hpp"

using namespace dssim;

TEST_CASE("expert shares: Zipf by hand, uniform at skew 0", "[moe]") {
  // skew 1, 4 experts: 1, 1/2, 1/3, 1/4; sum 25/12 -> 12/25, 6/25, 4/25, 3/25
  auto s = expert_shares(4, 1.0);
  REQUIRE(s.size() == 4);
  CHECK(s[0] == Approx(0.48));
  CHECK(s[1] == Approx(0.24));
  CHECK(s[2] == Approx(0.16));
  CHECK(s[3] == Approx(0.12));
  for (double v : expert_shares(8, 0.0)) CHECK(v == Approx(0.125));
  auto z = expert_shares(256, 1.3);
  CHECK(std::accumulate(z.begin(), z.end(), 0.0) == Approx(1.0));
  CHECK_THROWS_AS(expert_shares(4, -0.5), Error);
  CHECK_THROWS_AS(expert_shares(0, 1.0), Error);
}

TEST_CASE("expert placement: contiguous, round robin, balanced by hand", "[moe]") {
  const auto s = expert_shares(4, 1.0);  // 0.48, 0.24, 0.16, 0.12
  CHECK(place_experts(s, 2, ExpertPlacement::contiguous) == std::vector<int>{0, 0, 1, 1});
  CHECK(place_experts(s, 2, ExpertPlacement::round_robin) == std::vector<int>{0, 1, 0, 1});
  // greedy hottest first: e0 (0.48) -> r0; e1 (0.24) -> r1 (load 0); e2 (0.16) -> r1 (0.24 < 0.48);
  // e3 (0.12): r1 is full (2 of 2) -> r0. Loads 0.60 / 0.40 (contiguous: 0.72 / 0.28).
  CHECK(place_experts(s, 2, ExpertPlacement::balanced) == std::vector<int>{0, 1, 1, 0});
  // 6 experts on 3 ranks, skew 1: shares 1, 1/2, ..., 1/6 (sum 2.45): hottest three spread first,
  // e3 (1/4) -> the least loaded r2 (1/3 -> 7/12), e4 (1/5) -> r1 (1/2 -> 7/10), e5 (1/6) -> r0
  CHECK(place_experts(expert_shares(6, 1.0), 3, ExpertPlacement::balanced) == std::vector<int>{0, 1, 2, 2, 1, 0});
  CHECK(place_experts(expert_shares(6, 1.0), 3, ExpertPlacement::contiguous) == std::vector<int>{0, 0, 1, 1, 2, 2});
  // uniform shares: every policy gives every rank experts/ranks experts
  for (auto p : {ExpertPlacement::contiguous, ExpertPlacement::round_robin, ExpertPlacement::balanced}) {
    auto r = place_experts(expert_shares(256, 0.0), 8, p);
    for (int k = 0; k < 8; ++k) CHECK(std::count(r.begin(), r.end(), k) == 32);
  }
  CHECK_THROWS_AS(place_experts(s, 3, ExpertPlacement::contiguous), Error);
  CHECK_THROWS_AS(place_experts(s, 0, ExpertPlacement::round_robin), Error);
}

TEST_CASE("expert placement names", "[moe]") {
  CHECK(parse_expert_placement("balanced", "x") == ExpertPlacement::balanced);
  CHECK(parse_expert_placement("round_robin", "x") == ExpertPlacement::round_robin);
  CHECK(to_string(ExpertPlacement::contiguous) == "contiguous");
  try {
    parse_expert_placement("roundrobin", "scenario.toml:3");
    FAIL("no error");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("scenario.toml:3") != std::string::npos);
    CHECK(msg.find("contiguous, round_robin, balanced") != std::string::npos);
    CHECK(msg.find("did you mean 'round_robin'") != std::string::npos);
  }
}

TEST_CASE("rank loads by hand, busiest rank and imbalance", "[moe]") {
  const auto s = expert_shares(4, 1.0);  // 0.48, 0.24, 0.16, 0.12
  // T = 2 tokens, top-1: q = shares. Contiguous on 2 ranks: r0 = {e0, e1}, r1 = {e2, e3}
  auto l = rank_loads(2, 1, s, place_experts(s, 2, ExpertPlacement::contiguous), 2);
  REQUIRE(l.size() == 2);
  CHECK(l[0].tokens == Approx(2 * 0.72));  // 1.44
  CHECK(l[1].tokens == Approx(2 * 0.28));  // 0.56
  // active: 1 - 0.52^2 + 1 - 0.76^2 = 0.7296 + 0.4224; 1 - 0.84^2 + 1 - 0.88^2 = 0.2944 + 0.2256
  CHECK(l[0].active_experts == Approx(1.152));
  CHECK(l[1].active_experts == Approx(0.52));
  CHECK(busiest_rank(l).tokens == Approx(1.44));
  CHECK(imbalance(l) == Approx(1.44));  // 1.44 / mean 1.0
  // balanced: r0 = {e0, e3} 0.60, r1 = {e1, e2} 0.40 -> imbalance 1.2
  auto b = rank_loads(2, 1, s, place_experts(s, 2, ExpertPlacement::balanced), 2);
  CHECK(b[0].tokens == Approx(1.2));
  CHECK(imbalance(b) == Approx(1.2));
  // top-2 without clipping: q = 2 x shares = 0.96, 0.48, 0.32, 0.24; T = 10 -> r0 14.4, r1 5.6
  auto k2 = rank_loads(10, 2, s, {0, 0, 1, 1}, 2);
  CHECK(k2[0].tokens == Approx(14.4));
  CHECK(k2[1].tokens == Approx(5.6));
  // ties on assignments: the rank with more active experts
  CHECK(busiest_rank({{2, 1}, {2, 1.5}, {1, 1}}).active_experts == Approx(1.5));
  CHECK(busiest_rank({}).tokens == 0);
  CHECK(imbalance({{0, 0}, {0, 0}}) == 1.0);
  CHECK(rank_loads(0, 1, s, {0, 0, 1, 1}, 2)[0].tokens == 0);
}

TEST_CASE("routing clips saturated experts and keeps k picks per token", "[moe]") {
  const auto s = expert_shares(4, 1.0);
  // top-3: 3 x 0.48 = 1.44 > 1 -> e0 is picked by every token; the other 2 picks spread over
  // 0.24 : 0.16 : 0.12 (sum 0.52): 12/13, 8/13, 6/13
  auto q = pick_probabilities(3, s);
  CHECK(q[0] == Approx(1.0));
  CHECK(q[1] == Approx(12.0 / 13));
  CHECK(q[2] == Approx(8.0 / 13));
  CHECK(q[3] == Approx(6.0 / 13));
  // a huge skew: the k hottest experts take every pick
  auto h = pick_probabilities(2, expert_shares(4, 60.0));
  CHECK(h[0] == Approx(1.0));
  CHECK(h[1] == Approx(1.0));
  CHECK(h[2] == Approx(0.0).margin(1e-9));
  CHECK(std::accumulate(h.begin(), h.end(), 0.0) == Approx(2.0));
  auto l = rank_loads(100, 2, expert_shares(4, 60.0), {0, 0, 1, 1}, 2);
  CHECK(l[0].tokens == Approx(200));
  CHECK(l[0].active_experts == Approx(2));
  CHECK(l[1].tokens == Approx(0).margin(1e-6));
  CHECK(imbalance(l) == Approx(2.0));
  // k = E: everything saturated
  for (double v : pick_probabilities(4, s)) CHECK(v == Approx(1.0));
  CHECK_THROWS_AS(pick_probabilities(5, s), Error);
  CHECK_THROWS_AS(pick_probabilities(0, s), Error);
}

TEST_CASE("uniform routing reduces to expected_active_experts", "[moe]") {
  for (double T : {1.0, 7.0, 37.0, 4096.0}) {
    const auto s = expert_shares(64, 0.0);
    for (auto p : {ExpertPlacement::contiguous, ExpertPlacement::round_robin, ExpertPlacement::balanced}) {
      auto l = rank_loads(T, 6, s, place_experts(s, 8, p), 8);
      double active = 0, tokens = 0;
      for (const auto& r : l) {
        active += r.active_experts;
        tokens += r.tokens;
      }
      CHECK(active == Approx(expected_active_experts(T, 6, 64)));
      CHECK(tokens == Approx(T * 6));
      CHECK(imbalance(l) == Approx(1.0));
      CHECK(busiest_rank(l).active_experts == Approx(expected_active_experts(T, 6, 64) / 8));
    }
  }
}

TEST_CASE("EPLB by hand: copies go to the largest load per copy, then balanced packing", "[moe][eplb]") {
  const std::vector<double> shares{0.7, 0.1, 0.1, 0.1};
  // 0.7 -> two copies of 0.35 -> three of 0.2333 (still above 0.1)
  CHECK(replicate_experts(shares, 2) == std::vector<int>{3, 1, 1, 1});
  CHECK(replicate_experts(shares, 0) == std::vector<int>{1, 1, 1, 1});
  CHECK_THROWS_WITH(replicate_experts(shares, -1), Catch::Contains("need 0 or more"));
  // Without copies the best packing of 2 slots per rank is {0.7, 0.1} and {0.1, 0.1}: imbalance 1.6.
  const auto plain = moe_rank_loads(1.0, 1, shares, 2, ExpertPlacement::balanced, 0);
  CHECK(imbalance(plain) == Approx(1.6));
  // With 2 copies, 3 slots per rank: 0.2333 -> r0, 0.2333 -> r1, 0.2333 -> r0 (tie: lowest), 0.1 -> r1,
  // 0.1 -> r1 (full), 0.1 -> r0: r0 = 0.5667, r1 = 0.4333.
  const auto eplb = moe_rank_loads(1.0, 1, shares, 2, ExpertPlacement::balanced, 2);
  REQUIRE(eplb.size() == 2);
  CHECK(eplb[0].tokens == Approx(0.7 * 2 / 3 + 0.1));
  CHECK(eplb[1].tokens == Approx(0.7 / 3 + 0.2));
  CHECK(imbalance(eplb) == Approx((0.7 * 2 / 3 + 0.1) / 0.5));
  // 100 tokens: rank 0 holds two copies of the hot expert and one cold one, all but surely active
  const auto many = moe_rank_loads(100.0, 1, shares, 2, ExpertPlacement::balanced, 2);
  CHECK(many[0].active_experts == Approx(2 * (1 - std::pow(1 - 0.7 / 3, 100)) + (1 - std::pow(0.9, 100))));
  CHECK_THROWS_WITH(moe_rank_loads(1.0, 1, shares, 2, ExpertPlacement::balanced, 1),
                    Catch::Contains("4 experts + 1 redundant must fill the 2 expert-parallel ranks evenly"));
}

TEST_CASE("the slowest rank is bounded by the most tokens and the most active experts of any rank", "[moe]") {
  std::vector<RankLoad> loads{{10, 2}, {6, 5}, {8, 3}};
  const RankLoad b = slowest_rank_bound(loads);
  CHECK(b.tokens == 10);
  CHECK(b.active_experts == 5);
  CHECK(slowest_rank_bound({}).tokens == 0);
}
