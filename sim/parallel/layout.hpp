#pragma once
// How one serving replica spreads a model over its GPUs, and what each GPU holds.
//
//   replica = pipeline_parallel stages x stage_width GPUs;  stage_width = max(tensor_parallel, expert_parallel)
//   attention: heads split over tensor_parallel ranks; stage_width / tensor_parallel such groups each take
//              a share of the sequences (data-parallel attention, as SGLang's --enable-dp-attention)
//   MoE layers: expert_parallel = 1: every expert split over the TP ranks (all-reduce after);
//              expert_parallel = stage_width: each rank holds experts/EP whole experts (all-to-all
//              dispatch before, combine after)
//   data_parallel: whole replicas, a router in front
#include <string>
#include <utility>
#include <vector>

#include "config/model_card.hpp"
#include "parallel/moe_routing.hpp"

namespace dssim {

struct ParallelLayout {
  int tp = 1, pp = 1, ep = 1;
  int microbatches = 0;  // pipeline micro-batches per iteration (0: one per stage)
  double routing_skew = 0;
  ExpertPlacement placement = ExpertPlacement::contiguous;
  int redundant_experts = 0;  // EPLB: extra copies of hot experts over the EP ranks (balanced packing)
  bool fp8_dispatch = false;  // EP dispatch in fp8 (DeepEP); the combine stays 16-bit
  // The EP all-to-all's kernels (ep_a2a): false, every (token, expert) copy straight to its rank (NCCL,
  // DeepEP's low-latency kernels); true, DeepEP as SGLang runs it by default (--deepep-mode auto):
  // iterations with a prefill use its normal kernels (a token once per remote node over the network,
  // forwarded over NVLink once per rank; deepep_sms SMs held while they run), decode-only iterations
  // its low-latency kernels (per copy, no SMs held).
  bool deepep = false;
  int deepep_sms = 20;
  // Two micro-batches per iteration on two streams, one's communication under the other's kernels
  // (DeepSeek's two-batch overlap); single-stage replicas.
  bool two_batch_overlap = false;
  int stage_width() const { return tp > ep ? tp : ep; }
  int attention_dp() const { return stage_width() / tp; }
  int gpus() const { return stage_width() * pp; }
  int micro() const { return microbatches > 0 ? microbatches : pp; }
};

class TomlTable;
// The layout keys of [serving] (declared in parallel/layout_keys.cpp).
ParallelLayout read_layout(TomlTable& serving);

// Layers [first, second) of pipeline stage `s` (balanced: sizes differ by at most one, larger first).
std::pair<int, int> stage_layers(int layers, int pp, int s);
// Throws a clear Error when the model cannot be split this way (TP vs heads/widths, EP vs experts,
// PP vs layers, the GPU count), listing what would work.
void validate_layout(const ModelCard& m, const ParallelLayout& l, int replicas, int platform_gpus);
// The largest degree an error lists as valid; as `platform_gpus`, it checks the model split alone.
inline constexpr int kMaxListedDegree = 1024;
// Share of the MoE dispatch each expert-parallel rank receives, from the router's skew and the expert
// placement (empty without EP): the all-to-all's traffic matrix and the busiest rank's ingress.
std::vector<double> ep_receive_shares(const ModelCard& m, const ParallelLayout& l);
// "TP 8, EP 8 (data-parallel attention x2), PP 2 (2 micro-batches)" ("" for one GPU).
std::string describe(const ParallelLayout& l, bool moe);
// The most layers one stage holds (its KV cache and weights set the per-GPU memory).
int max_stage_layers(int layers, int pp);

}  // namespace dssim
