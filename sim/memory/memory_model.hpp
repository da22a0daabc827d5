#pragma once
#include <optional>
#include <string>
#include <vector>

#include "config/gpu_card.hpp"
#include "config/model_card.hpp"
#include "config/precision.hpp"
#include "config/runtime_profile.hpp"
#include "parallel/layout.hpp"

namespace dssim {

struct MemoryRequest {
  Precision weights = Precision::bf16, kv_cache = Precision::bf16, activations = Precision::bf16;
  int batch = 1;
  long long prefill_tokens = 1;  // per sequence, in one forward pass
  long long kv_tokens = 1;       // per sequence, the most the cache must hold
  ParallelLayout layout;
  // Bytes of weights kept in host memory and streamed over PCIe each forward pass (weight offload).
  double offloaded_weight_bytes = 0;
  double staging_bytes = 0;  // GPU buffers the offloaded layers / KV stream through
  // Tokens per sequence whose KV lives in host memory (KV offload); the rest is on the GPU.
  long long host_kv_tokens = 0;
  double reserve_bytes = 0;  // from the runtime profile
  double reserve_fraction = 0;
  // The runtime's fused kernels (RuntimeProfile::fused_kernels): RoPE in place and SiLU-and-mul in one
  // kernel leave fewer activations live at once (activation_bytes).
  bool fused_kernels = false;
  // The runtime profile's part: its reserve and whether its kernels are fused.
  void set_runtime(const RuntimeProfile& rt) {
    reserve_bytes = rt.reserve_bytes;
    reserve_fraction = rt.reserve_fraction;
    fused_kernels = rt.fused_kernels;
  }
};

// Bytes on each GPU.
struct MemoryBreakdown {
  double weights = 0, kv_cache = 0, activations = 0, reserve = 0, capacity = 0;
  double host_weights = 0, host_kv = 0;  // offloaded to host memory (not in total())
  double total() const { return weights + kv_cache + activations + reserve; }
  double free() const { return capacity - total(); }
  bool fits() const { return total() <= capacity; }
};

// Weight bytes on the fullest GPU (the stage with the most of them) when weights are stored in `p`.
double weight_bytes_per_gpu(const ModelCard& m, Precision p, const ParallelLayout& l);
// Weight bytes of decoder layer `layer` on one GPU of its stage.
double layer_weight_bytes_per_gpu(const ModelCard& m, Precision p, const ParallelLayout& l, int layer);
// KV-cache bytes one GPU holds per token of context under tensor parallelism `tp` (all layers).
double kv_bytes_per_token_per_gpu(const ModelCard& m, Precision kv, int tp);
// The same on the fullest GPU of a layout: its stage's layers only.
double kv_bytes_per_token_per_gpu(const ModelCard& m, Precision kv, const ParallelLayout& l);
// Sequences of a batch that the busiest attention group holds.
int sequences_per_gpu(int batch, const ParallelLayout& l);
MemoryBreakdown memory_per_gpu(const ModelCard& m, const GpuCard& g, const MemoryRequest& r);
double activation_bytes(const ModelCard& m, const MemoryRequest& r);
// Whether `tp` ranks can split the model: heads, KV heads (or replicate them) and MLP widths divide.
bool tp_compatible(const ModelCard& m, int tp);
// The layout with the fewest of these GPUs (TP 1-8 within a node, EP over the routed experts, PP over
// the layers; at most 1,024 GPUs) whose every GPU holds the request; none when no such layout exists.
std::optional<ParallelLayout> fewest_gpus_layout(const ModelCard& m, const GpuCard& g, const MemoryRequest& r);
// Weight offload: whole layers' weights go to host memory from the last layer backwards, streamed through
// two layer-sized GPU buffers, until `r` fits, or, with `gpu_layers` >= 0, until each GPU keeps only that
// many decoder layers (fitting or not); returns how many layers moved.
int offload_weight_layers(const ModelCard& m, const GpuCard& g, MemoryRequest& r, int gpu_layers = -1);
// Plain-language alternatives that would fit (empty when it fits).
std::vector<std::string> what_would_fit(const ModelCard& m, const GpuCard& g, const MemoryRequest& r);

}  // namespace dssim
