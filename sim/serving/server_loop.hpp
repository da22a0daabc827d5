#pragma once
// What a serving loop adds around the model's iteration, as [serving] describes it: decode steps that
// replay CUDA graphs captured for a few batch sizes and context buckets (the step runs padded to the
// bucket), and host time per step (sync, sampling) and per prefill (allocator growth, new shapes).
#include "serving/serving_config.hpp"
#include "timing/iteration_cost.hpp"

namespace dssim {

struct ServerStep {
  const IterationShape* shape = nullptr;  // what the GPU runs: the step itself, or its padded copy
  bool graph_allowed = true;              // false: a decode step larger than every captured graph runs eager
  double after_s = 0;                     // host time after the GPU part
};

// `cuda_graphs`: the deployment replays graphs for decode-only steps at all. A padded step is written
// into `padded` (the step itself is never copied: this runs once per simulated iteration).
ServerStep server_step(const ServingConfig& c, const IterationShape& s, bool cuda_graphs, IterationShape& padded);

}  // namespace dssim
