// Where a token's experts land: by hand from the router's group limit.
#include <catch2/catch.hpp>

#include "parallel/ep_routing.hpp"
#include "timing/iteration_cost.hpp"

using namespace dssim;

namespace {
MoeSpec v3() {
  MoeSpec m;
  m.n_routed_experts = 256;
  m.num_experts_per_tok = 8;
  m.n_group = 8;
  m.topk_group = 4;
  return m;
}
// C(m - u, k) / C(m, k), written out
double miss(int m, int u, int k) {
  double p = 1;
  for (int i = 0; i < k; ++i) p *= static_cast<double>(m - u - i) / (m - i);
  return p;
}
}  // namespace

TEST_CASE("DeepSeek-V3 over EP32 on 4 nodes: a rank is reached half as often as its group is chosen", "[parallel][ep_routing]") {
  const EpTouch t = ep_touch(v3(), 32, 8);
  REQUIRE(t.rank.size() == 32);
  REQUIRE(t.node.size() == 4);
  // a rank's 8 experts are in one group of 32; the group is among the token's 4 of 8 half the time,
  // and then the token's 8 experts come from those 4 groups' 128
  const double rank = 0.5 * (1 - miss(128, 8, 8));
  for (double q : t.rank) CHECK(q == Approx(rank).epsilon(1e-12));
  // a node's 64 experts are 2 whole groups: none of them chosen 15/70, one 40/70, both 15/70
  const double node = 1 - (15.0 / 70 + 40.0 / 70 * miss(128, 32, 8) + 15.0 / 70 * miss(128, 64, 8));
  for (double q : t.node) CHECK(q == Approx(node).epsilon(1e-12));
  CHECK(t.nodes_touched() == Approx(4 * node));
  CHECK(t.nodes_touched() < 4);
  CHECK(t.ranks_touched() < 8);  // fewer ranks than copies: some ranks hold two of a token's experts
}

TEST_CASE("without a group limit a rank is missed when all k experts are elsewhere", "[parallel][ep_routing]") {
  MoeSpec m;
  m.n_routed_experts = 64;
  m.num_experts_per_tok = 6;
  const EpTouch t = ep_touch(m, 8, 4);
  for (double q : t.rank) CHECK(q == Approx(1 - miss(64, 8, 6)).epsilon(1e-12));
  for (double q : t.node) CHECK(q == Approx(1 - miss(64, 32, 6)).epsilon(1e-12));
  // one expert a rank: a token reaches exactly k ranks
  CHECK(ep_touch(m, 64, 8).ranks_touched() == Approx(6).epsilon(1e-12));
}

TEST_CASE("a unit that spans part of a group: the ways the chosen groups cover it", "[parallel][ep_routing]") {
  // 8 experts in 4 groups of 2, a token's 2 experts from its 2 best groups (4 experts open to it).
  MoeSpec m;
  m.n_routed_experts = 8;
  m.num_experts_per_tok = 2;
  m.n_group = 4;
  m.topk_group = 2;
  // one expert of group 0 and both of group 1: chosen groups {0,1} (1 of 6 ways) leave 1 of 4 unmarked,
  // {0,x} (2 ways) mark 1, {1,x} (2 ways) mark 2, neither (1 way) none
  const double p = (1.0 * miss(4, 3, 2) + 2.0 * miss(4, 1, 2) + 2.0 * miss(4, 2, 2) + 1.0) / 6;
  CHECK(untouched_probability(m, {1, 2, 0, 0}) == Approx(p).epsilon(1e-12));
}

TEST_CASE("work stretched while another lane's kernels hold SMs", "[timing][ep_routing]") {
  CHECK(stretched_end(0, 1, 2, 3, 0.5) == Approx(1));        // done before the hold
  CHECK(stretched_end(0, 3, 1, 2, 0.5) == Approx(3.5));      // 1 s full, 1 s at half (0.5 done), 1.5 s full
  CHECK(stretched_end(1.5, 0.25, 1, 2, 0.5) == Approx(2));   // all of it inside the hold
  CHECK(stretched_end(5, 1, 1, 2, 0.5) == Approx(6));        // after it
}
