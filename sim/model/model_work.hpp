#pragma once
// What a forward pass asks of a GPU, whatever the layout: its arithmetic (FLOPs) and its memory traffic
// (bytes), the numerators of MFU and MBU. Counted from the same operator list the timings price, built
// as for one GPU holding the whole model, so communication and the copies a layout adds are not work.
#include "model/operators.hpp"

namespace dssim {

struct ModelWork {
  double flops = 0;  // GEMM and attention multiply-adds x 2 (2:4-sparse GEMMs: the multiply-adds they run)
  double bytes = 0;  // weights read, KV read and written, activations in and out, per kernel
};

// The operators that are the model's work: GEMMs, attention and element-wise kernels (not collectives,
// stage hand-offs or host-only ops).
bool is_model_work(const Op& op);
ModelWork model_work(const ModelCard& m, const ForwardConfig& cfg, const ForwardShape& s);

// Achieved rates of a pass that took `seconds` on `gpus` GPUs, and their share of those GPUs' peaks.
struct AchievedRates {
  double flops_per_s = 0, bytes_per_s = 0;
  double mfu = 0, mbu = 0;  // model FLOPs (bytes) per second over the GPUs' peak tensor FLOP/s (memory bandwidth)
};
AchievedRates achieved_rates(const ModelWork& w, double seconds, int gpus, double peak_flops_per_gpu,
                             double peak_Bps_per_gpu);

}  // namespace dssim
