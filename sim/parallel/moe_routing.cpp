#include "parallel/moe_routing.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::vector<double> expert_shares(int experts, double skew) {
  if (experts < 1) throw Error(fmt("expert_shares: %d experts; need at least 1", experts));
  if (!std::isfinite(skew) || skew < 0)
    throw Error(fmt("expert_shares: routing skew %g must be finite and >= 0 (0 = uniform)", skew));
  std::vector<double> s(static_cast<size_t>(experts));
  double sum = 0;
  for (int i = 0; i < experts; ++i) sum += s[static_cast<size_t>(i)] = std::pow(static_cast<double>(i + 1), -skew);
  for (double& v : s) v /= sum;
  return s;
}

std::vector<std::string> expert_placement_names() { return {"contiguous", "round_robin", "balanced"}; }

std::string to_string(ExpertPlacement p) {
  switch (p) {
    case ExpertPlacement::contiguous: return "contiguous";
    case ExpertPlacement::round_robin: return "round_robin";
    case ExpertPlacement::balanced: return "balanced";
  }
  return "?";
}

ExpertPlacement parse_expert_placement(const std::string& name, const std::string& where) {
  for (ExpertPlacement p : {ExpertPlacement::contiguous, ExpertPlacement::round_robin, ExpertPlacement::balanced})
    if (to_string(p) == name) return p;
  const std::string hint = closest(name, expert_placement_names());
  throw Error(fmt("%s: unknown expert placement '%s'; expected one of %s%s", where.c_str(), name.c_str(),
                  join(expert_placement_names(), ", ").c_str(),
                  hint.empty() ? "" : fmt(" (did you mean '%s'?)", hint.c_str()).c_str()));
}

std::vector<int> place_experts(const std::vector<double>& shares, int ranks, ExpertPlacement p) {
  const int E = static_cast<int>(shares.size());
  if (ranks < 1 || E < 1 || E % ranks != 0)
    throw Error(fmt("expert placement: %d ranks must divide the %d experts (each rank holds the same number)", ranks, E));
  const int per = E / ranks;
  std::vector<int> rank(static_cast<size_t>(E), 0);
  switch (p) {
    case ExpertPlacement::contiguous:
      for (int i = 0; i < E; ++i) rank[static_cast<size_t>(i)] = i / per;
      break;
    case ExpertPlacement::round_robin:
      for (int i = 0; i < E; ++i) rank[static_cast<size_t>(i)] = i % ranks;
      break;
    case ExpertPlacement::balanced: {
      std::vector<int> order(static_cast<size_t>(E));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](int a, int b) { return shares[static_cast<size_t>(a)] > shares[static_cast<size_t>(b)]; });
      std::vector<double> load(static_cast<size_t>(ranks), 0.0);
      std::vector<int> held(static_cast<size_t>(ranks), 0);
      for (int e : order) {
        int best = -1;
        for (int r = 0; r < ranks; ++r) {
          if (held[static_cast<size_t>(r)] >= per) continue;
          if (best < 0 || load[static_cast<size_t>(r)] < load[static_cast<size_t>(best)]) best = r;
        }
        rank[static_cast<size_t>(e)] = best;
        load[static_cast<size_t>(best)] += shares[static_cast<size_t>(e)];
        ++held[static_cast<size_t>(best)];
      }
      break;
    }
  }
  return rank;
}

std::vector<double> pick_probabilities(int k, const std::vector<double>& shares) {
  const size_t E = shares.size();
  if (k < 1 || static_cast<size_t>(k) > E)
    throw Error(fmt("MoE routing: each token picks %d of %zu experts; need 1 <= k <= experts", k, E));
  // Water-filling: experts whose k*share would exceed 1 are picked by every token (q = 1); the mass
  // they cannot take goes to the others in proportion to their shares, until none exceeds 1.
  std::vector<double> q(E, 0.0);
  std::vector<bool> saturated(E, false);
  for (size_t pass = 0; pass <= E; ++pass) {
    double free_mass = k, free_share = 0;
    for (size_t i = 0; i < E; ++i) {
      if (saturated[i])
        free_mass -= 1.0;
      else
        free_share += shares[i];
    }
    bool changed = false;
    for (size_t i = 0; i < E; ++i) {
      if (saturated[i]) {
        q[i] = 1.0;
        continue;
      }
      q[i] = free_share > 0 ? free_mass * shares[i] / free_share : 0.0;
      if (q[i] > 1.0) {
        saturated[i] = true;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return q;
}

std::vector<RankLoad> rank_loads(double tokens, int k, const std::vector<double>& shares,
                                 const std::vector<int>& placement, int ranks) {
  if (placement.size() != shares.size())
    throw Error(fmt("MoE routing: %zu shares but %zu placed experts", shares.size(), placement.size()));
  if (ranks < 1) throw Error(fmt("MoE routing: %d ranks", ranks));
  std::vector<RankLoad> loads(static_cast<size_t>(ranks));
  if (tokens <= 0) return loads;
  const std::vector<double> q = pick_probabilities(k, shares);
  for (size_t i = 0; i < q.size(); ++i) {
    const int r = placement[i];
    if (r < 0 || r >= ranks) throw Error(fmt("MoE routing: expert %zu placed on rank %d of %d", i, r, ranks));
    RankLoad& l = loads[static_cast<size_t>(r)];
    l.tokens += tokens * q[i];
    l.active_experts += 1.0 - std::pow(1.0 - q[i], tokens);
  }
  return loads;
}

std::vector<int> replicate_experts(const std::vector<double>& shares, int redundant) {
  if (redundant < 0) throw Error(fmt("EPLB: %d redundant experts; need 0 or more", redundant));
  std::vector<int> copies(shares.size(), 1);
  for (int r = 0; r < redundant; ++r) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < shares.size(); ++i)
      if (shares[i] / copies[i] > shares[best] / copies[best]) best = i;
    ++copies[best];
  }
  return copies;
}

std::vector<RankLoad> moe_rank_loads(double tokens, int k, const std::vector<double>& shares, int ranks,
                                     ExpertPlacement p, int redundant) {
  if (redundant <= 0) return rank_loads(tokens, k, shares, place_experts(shares, ranks, p), ranks);
  const int E = static_cast<int>(shares.size());
  if (ranks < 1 || (E + redundant) % ranks != 0)
    throw Error(fmt("EPLB: %d experts + %d redundant must fill the %d expert-parallel ranks evenly (a multiple of %d)",
                    E, redundant, ranks, ranks));
  const std::vector<int> copies = replicate_experts(shares, redundant);
  const std::vector<double> q = pick_probabilities(k, shares);
  // physical experts: (logical expert, share of its picks)
  std::vector<std::pair<double, double>> phys;  // (pick probability of this copy, routing share)
  for (int i = 0; i < E; ++i)
    for (int c = 0; c < copies[static_cast<size_t>(i)]; ++c)
      phys.emplace_back(q[static_cast<size_t>(i)] / copies[static_cast<size_t>(i)],
                        shares[static_cast<size_t>(i)] / copies[static_cast<size_t>(i)]);
  std::stable_sort(phys.begin(), phys.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  const int per = (E + redundant) / ranks;
  std::vector<double> packed(static_cast<size_t>(ranks), 0.0);
  std::vector<int> held(static_cast<size_t>(ranks), 0);
  std::vector<RankLoad> loads(static_cast<size_t>(ranks));
  for (const auto& [qc, share] : phys) {
    int best = -1;
    for (int r = 0; r < ranks; ++r) {
      if (held[static_cast<size_t>(r)] >= per) continue;
      if (best < 0 || packed[static_cast<size_t>(r)] < packed[static_cast<size_t>(best)]) best = r;
    }
    packed[static_cast<size_t>(best)] += share;
    ++held[static_cast<size_t>(best)];
    if (tokens > 0) {
      RankLoad& l = loads[static_cast<size_t>(best)];
      l.tokens += tokens * qc;
      l.active_experts += 1.0 - std::pow(1.0 - qc, tokens);
    }
  }
  return loads;
}

RankLoad slowest_rank_bound(const std::vector<RankLoad>& loads) {
  RankLoad b;
  for (const RankLoad& l : loads) {
    b.tokens = std::max(b.tokens, l.tokens);
    b.active_experts = std::max(b.active_experts, l.active_experts);
  }
  return b;
}

RankLoad busiest_rank(const std::vector<RankLoad>& loads) {
  RankLoad best;
  bool first = true;
  for (const RankLoad& l : loads) {
    const double tol = 1e-12 * std::max(1.0, std::max(l.tokens, best.tokens));
    if (first || l.tokens > best.tokens + tol ||
        (std::abs(l.tokens - best.tokens) <= tol && l.active_experts > best.active_experts)) {
      best = l;
      first = false;
    }
  }
  return best;
}

double imbalance(const std::vector<RankLoad>& loads) {
  if (loads.empty()) return 1.0;
  double sum = 0, mx = 0;
  for (const RankLoad& l : loads) {
    sum += l.tokens;
    mx = std::max(mx, l.tokens);
  }
  const double mean = sum / static_cast<double>(loads.size());
  return mean > 0 ? mx / mean : 1.0;
}

}  // namespace dssim
