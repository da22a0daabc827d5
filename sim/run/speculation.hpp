#pragma once
// Speculative decoding's drafter on the target's GPUs: what it is (the model's own multi-token-
// prediction module, or a smaller draft model), the memory it takes from the KV pool, and the time
// its passes add to each serving iteration. The serving side (a step verifying k drafts and emitting
// the accepted ones) is in serving/kv_queue.
#include <memory>
#include <optional>
#include <string>

#include "run/run_inputs.hpp"
#include "timing/iteration_cost.hpp"

namespace dssim {

struct Drafter {
  PredictInput input;              // the drafter as a model on the target's GPUs and layout
  double weight_bytes_per_gpu = 0; // beside the target's weights (MTP: its block and projection)
  double kv_bytes_per_token_per_gpu = 0;
  std::string description;         // "MTP module (1 block)", "draft deepseek-r1-distill-qwen-1.5b (bf16)"
};

// The drafter of `in`'s speculation on the GPUs and layout of `b` (nullopt when it is off).
std::optional<Drafter> make_drafter(const RunInputs& in, const PredictInput& b);

// Adds the drafter's passes for one iteration of the target: the first runs the iteration's prefill
// chunks and proposes one token for every decoding sequence; k - 1 more decode-only passes propose
// the rest (each token needs the one before it).
void add_draft_passes(IterationCostBreakdown& r, IterationCostModel& drafter, const IterationShape& s, int k,
                      bool graph_allowed);
// The drafter's model work in those passes, added to `w` (the replica's MFU counts its drafter too).
void add_draft_work(ModelWork& w, IterationCostModel& drafter, const IterationShape& s, int k);

}  // namespace dssim
