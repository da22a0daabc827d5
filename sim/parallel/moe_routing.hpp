#pragma once
// MoE routing skew and expert placement over expert-parallel ranks: pure functions, no SimGrid.
// A real router is not uniform: a few experts receive more tokens than others. These functions give
// the share of routed assignments per expert (Zipf), where each expert lives (placement policy) and
// what each rank then has to compute, so that the busiest rank (which sets the MoE layer's pace) can
// be costed instead of the mean.
#include <string>
#include <vector>

namespace dssim {

// Share of routed-token assignments each of `experts` experts receives: Zipf, share_i ∝ (i+1)^-skew
// (expert 0 is the hottest); skew = 0 is uniform. Sums to 1. Throws dssim::Error on experts < 1 or
// a negative or non-finite skew.
std::vector<double> expert_shares(int experts, double skew);

enum class ExpertPlacement { contiguous, round_robin, balanced };
// Parses "contiguous", "round_robin" or "balanced"; an unknown name is an Error that names `where`
// and the choices.
ExpertPlacement parse_expert_placement(const std::string& name, const std::string& where);
std::string to_string(ExpertPlacement p);
std::vector<std::string> expert_placement_names();

// Rank (0..ranks-1) of each expert; every rank holds experts/ranks of them (ranks must divide the
// number of experts, else dssim::Error).
//  contiguous:  experts [r*E/R, (r+1)*E/R) on rank r (a skewed router's hot experts land together: worst case);
//  round_robin: expert i on rank i % R;
//  balanced:    greedy, hottest expert first onto the least-loaded rank that still has room (ties: the
//               lowest rank), what an expert-placement balancer such as DeepSeek's EPLB aims at, without replicas.
std::vector<int> place_experts(const std::vector<double>& shares, int ranks, ExpertPlacement p);

// What one rank computes in an MoE layer: expected token-expert assignments and expected distinct
// experts hit on that rank.
struct RankLoad {
  double tokens = 0;
  double active_experts = 0;
};

// Probability that one token picks expert i when it picks k distinct experts: q_i = min(1, k*share_i),
// with the mass clipped off the saturated experts redistributed over the others in proportion to their
// shares (water-filling), so that sum q_i = k. Throws if k < 1 or k > number of experts.
std::vector<double> pick_probabilities(int k, const std::vector<double>& shares);

// `tokens` tokens each pick k distinct experts; expert i is picked with probability q_i
// (pick_probabilities): expected assignments tokens*q_i, expected active 1 - (1 - q_i)^tokens, summed
// per rank. With uniform shares the active experts over all ranks equal expected_active_experts(T, k, E).
std::vector<RankLoad> rank_loads(double tokens, int k, const std::vector<double>& shares,
                                 const std::vector<int>& placement, int ranks);

// Expert load balancing with redundant experts (DeepSeek's EPLB): `redundant` extra copies of experts,
// each given in turn to the expert with the largest share per copy (its load split evenly over its
// copies). Returns the copies of each expert (>= 1; they sum to experts + redundant).
std::vector<int> replicate_experts(const std::vector<double>& shares, int redundant);

// The ranks' loads with `redundant` replicas: the physical experts (each copy a share_i / copies_i of
// expert i's picks) packed hottest first onto the least-loaded rank with a free slot, (experts +
// redundant) / ranks slots each (else dssim::Error). redundant = 0: the experts placed by `p`.
std::vector<RankLoad> moe_rank_loads(double tokens, int k, const std::vector<double>& shares, int ranks,
                                     ExpertPlacement p, int redundant);

// The rank that finishes last sets the MoE layer's pace: the one with the most assignments (ties: the
// most active experts). An empty list gives a zero load.
RankLoad busiest_rank(const std::vector<RankLoad>& loads);

// A bound on the slowest rank: the most assignments of any rank and the most active experts of any
// rank, together. A rank's MoE time grows with both (compute with the first, expert weights read with
// the second), and the two maxima can sit on different ranks: the one with the hottest expert has the
// most tokens, another the most distinct experts. Equal to every rank when the routing is uniform.
RankLoad slowest_rank_bound(const std::vector<RankLoad>& loads);

// max / mean assignments over ranks (1 = perfectly balanced; 1 when no rank has any).
double imbalance(const std::vector<RankLoad>& loads);

}  // namespace dssim
