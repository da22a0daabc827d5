#include "parallel/ep_routing.hpp"

#include <algorithm>
#include <numeric>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

// C(n, r) as a double (0 outside 0 <= r <= n).
double choose(int n, int r) {
  if (r < 0 || n < 0 || r > n) return 0.0;
  double c = 1;
  for (int i = 1; i <= r; ++i) c = c * (n - r + i) / i;
  return c;
}

// C(m - u, k) / C(m, k): k drawn from m without replacement miss all u marked ones.
double miss_all(int m, int u, int k) {
  if (u <= 0) return 1.0;
  if (m - u < k) return 0.0;
  double p = 1;
  for (int i = 0; i < k; ++i) p *= static_cast<double>(m - u - i) / (m - i);
  return p;
}

}  // namespace

double untouched_probability(const MoeSpec& moe, const std::vector<int>& in_group) {
  const int n = std::max(1, moe.n_group), t = std::max(1, std::min(moe.topk_group, n)), k = moe.num_experts_per_tok;
  const int size = moe.n_routed_experts / n;  // experts per group
  const int m = t * size;                     // experts open to the token
  if (static_cast<int>(in_group.size()) != n || moe.n_routed_experts % n != 0 || k > m)
    throw Error(fmt("internal: routing of %d of %d experts in %d groups (%d chosen)", k, moe.n_routed_experts, n, t),
                ExitCode::internal);
  // The groups the unit has experts in: how many of them the token's chosen groups include (j), and
  // how many of the unit's experts those hold (u), counted over the ways of choosing them.
  std::vector<int> mine;
  for (int g = 0; g < n; ++g)
    if (in_group[static_cast<std::size_t>(g)] > 0) mine.push_back(in_group[static_cast<std::size_t>(g)]);
  const int a = static_cast<int>(mine.size());
  const int total = std::accumulate(mine.begin(), mine.end(), 0);
  std::vector<std::vector<double>> ways(static_cast<std::size_t>(a + 1), std::vector<double>(static_cast<std::size_t>(total + 1), 0.0));
  ways[0][0] = 1;
  for (int x : mine)
    for (int j = a - 1; j >= 0; --j)
      for (int u = total - x; u >= 0; --u)
        ways[static_cast<std::size_t>(j + 1)][static_cast<std::size_t>(u + x)] += ways[static_cast<std::size_t>(j)][static_cast<std::size_t>(u)];
  const double all = choose(n, t);
  double p = 0;
  for (int j = 0; j <= a; ++j)
    for (int u = 0; u <= total; ++u) {
      const double w = ways[static_cast<std::size_t>(j)][static_cast<std::size_t>(u)];
      if (w > 0) p += w * choose(n - a, t - j) / all * miss_all(m, u, k);
    }
  return p;
}

EpTouch ep_touch(const MoeSpec& moe, int ep, int ranks_per_node) {
  if (ep < 1 || ranks_per_node < 1)
    throw Error(fmt("internal: EP %d with %d ranks a node", ep, ranks_per_node), ExitCode::internal);
  const int n = std::max(1, moe.n_group), size = moe.n_routed_experts / n;
  EpTouch t;
  t.ranks_per_node = std::min(ranks_per_node, ep);
  // The experts of ranks [first, last): how many fall in each group.
  auto unit = [&](int first, int last) {
    std::vector<int> in_group(static_cast<std::size_t>(n), 0);
    for (long long e = static_cast<long long>(first) * moe.n_routed_experts / ep;
         e < static_cast<long long>(last) * moe.n_routed_experts / ep; ++e)
      ++in_group[static_cast<std::size_t>(e / size)];
    return 1.0 - untouched_probability(moe, in_group);
  };
  for (int b = 0; b < ep; ++b) t.rank.push_back(unit(b, b + 1));
  for (int first = 0; first < ep; first += t.ranks_per_node) t.node.push_back(unit(first, std::min(ep, first + t.ranks_per_node)));
  return t;
}

double EpTouch::ranks_touched() const { return std::accumulate(rank.begin(), rank.end(), 0.0); }
double EpTouch::nodes_touched() const { return std::accumulate(node.begin(), node.end(), 0.0); }

}  // namespace dssim
