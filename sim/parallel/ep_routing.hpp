#pragma once
// Where one token's routed experts land over the expert-parallel ranks and their nodes: the chance
// that a token has at least one expert on a given rank, or on a given node. A dispatch that sends a
// token once per rank (DeepEP) or once per node (DeepEP's normal kernels over the network) moves
// these, not one copy per expert. The router is taken as uniform over the experts allowed to it:
// the token's topk_group groups chosen at random among n_group, then its k experts at random among
// those groups' experts (the model card's n_group, topk_group; 1, 1: any k of all experts).
#include <vector>

#include "config/model_card.hpp"

namespace dssim {

struct EpTouch {
  std::vector<double> rank;  // P(a token has an expert on EP rank b), b = 0 .. ep-1
  std::vector<double> node;  // P(... on a rank of node n): ranks ranks_per_node at a time, in order
  int ranks_per_node = 1;
  // Expected ranks and nodes a token reaches; copies per token under per-expert sending is k.
  double ranks_touched() const;
  double nodes_touched() const;
};

// Ranks hold the experts in order, E / ep each (rank b: experts [b E / ep, (b + 1) E / ep)).
EpTouch ep_touch(const MoeSpec& moe, int ep, int ranks_per_node);

// P(none of a unit's experts is among a token's k): `in_group[g]` of the unit's experts in group g.
double untouched_probability(const MoeSpec& moe, const std::vector<int>& in_group);

}  // namespace dssim
