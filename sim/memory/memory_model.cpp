#include "memory/memory_model.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "model/params.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {
struct StorageBytes {
  double linear, b16, embed, head;
};
// As weight_bytes() stores them: decoder linear layers in `p` (2:4-sparse: compressed), norms and
// router in 16-bit, the embedding and the LM head in `p` when 16-bit or wider, else in 16-bit.
StorageBytes storage(const ModelCard& m, Precision p) {
  const double b = bytes_per_element(p);
  return {b * (m.sparse24 ? sparse_weight_fraction(p) : 1.0), p == Precision::fp32 ? 4.0 : 2.0,
          vocab_bytes_per_element(p), vocab_bytes_per_element(p)};
}
}  // namespace

double layer_weight_bytes_per_gpu(const ModelCard& m, Precision p, const ParallelLayout& l, int layer) {
  const StorageBytes sb = storage(m, p);
  const double h = static_cast<double>(m.hidden_size);
  const int tp = l.tp;
  double bytes = attention_params_per_layer(m) * sb.linear / tp + 2 * h * sb.b16;
  if (m.is_moe_layer(layer)) {
    const auto& e = *m.moe;
    const double expert = 3.0 * h * static_cast<double>(e.moe_intermediate_size) * sb.linear;
    // EPLB's redundant experts are extra whole experts spread over the EP ranks
    const double routed = (e.n_routed_experts + (l.ep > 1 ? l.redundant_experts : 0)) * expert;
    bytes += (l.ep > 1 ? routed / l.stage_width() : routed / tp) + e.n_shared_experts * expert / tp +
             h * e.n_routed_experts * sb.b16;
  } else {
    bytes += 3.0 * h * static_cast<double>(m.intermediate_size) * sb.linear / tp;
  }
  return bytes;
}

double weight_bytes_per_gpu(const ModelCard& m, Precision p, const ParallelLayout& l) {
  const StorageBytes sb = storage(m, p);
  const double h = static_cast<double>(m.hidden_size);
  double best = 0;
  for (int s = 0; s < l.pp; ++s) {
    auto [first, last] = stage_layers(m.num_hidden_layers, l.pp, s);
    double bytes = 0;
    for (int layer = first; layer < last; ++layer) bytes += layer_weight_bytes_per_gpu(m, p, l, layer);
    const double vocab = static_cast<double>(m.vocab_size) * h / l.tp;
    if (s == 0) bytes += vocab * sb.embed;
    if (s == l.pp - 1) bytes += (m.tie_word_embeddings && l.pp == 1 ? 0.0 : vocab * sb.head) + h * sb.b16;
    best = std::max(best, bytes);
  }
  return best;
}


bool tp_compatible(const ModelCard& m, int tp) {
  if (m.num_attention_heads % tp != 0 || m.intermediate_size % tp != 0) return false;
  if (m.moe && m.moe->moe_intermediate_size % tp != 0) return false;
  return m.mla || m.num_key_value_heads % tp == 0 || tp % m.num_key_value_heads == 0;
}

double activation_bytes(const ModelCard& m, const MemoryRequest& r) {
  const int tp = r.layout.tp;
  const int seqs = sequences_per_gpu(r.batch, r.layout);
  const double T = static_cast<double>(seqs) * static_cast<double>(r.prefill_tokens);
  const double a = bytes_per_element(r.activations);
  const double h = static_cast<double>(m.hidden_size);
  const double H = std::max(1, m.num_attention_heads / tp), Hkv = std::max(1, m.num_key_value_heads / tp);
  double qk = static_cast<double>(m.head_dim), v = static_cast<double>(m.head_dim);
  if (m.mla) {
    qk = static_cast<double>(m.mla->qk_nope_head_dim + m.mla->qk_rope_head_dim);
    v = static_cast<double>(m.mla->v_head_dim);
  }
  // Live at once: the residual stream and the normed copy, plus the larger of the attention block
  // (q/k/v, RoPE temporaries, attention output) and the MLP block (gate/up, SiLU, product). Fused
  // kernels rotate q and k in place (no temporaries) and write SiLU(gate) x up from the gate/up GEMM's
  // output in one kernel: 2 + 1 intermediate widths live, not gate, up, SiLU and product apart.
  const double attn = (H * qk + 2 * Hkv * qk) + (r.fused_kernels ? 0.0 : 3 * H * qk) + H * v;
  double inter = static_cast<double>(m.intermediate_size) / tp;
  if (m.moe) inter = std::max(inter, static_cast<double>(m.moe->moe_intermediate_size) * m.moe->num_experts_per_tok / tp);
  const double mlp = (r.fused_kernels ? 3 : 4) * inter;
  const double logits = static_cast<double>(seqs) * static_cast<double>(m.vocab_size) / tp * 4.0;
  return T * a * (2 * h + std::max(attn, mlp)) + logits;
}

// Heads split over TP ranks; fewer KV heads than ranks are replicated, and MLA's latent is shared
// by all heads, so every rank keeps all of it.
double kv_bytes_per_token_per_gpu(const ModelCard& m, Precision kv, int tp) {
  double kv_share = 1.0;
  if (!m.mla) kv_share = static_cast<double>(std::max(1, m.num_key_value_heads / tp)) / m.num_key_value_heads;
  return kv_bytes_per_token(m, kv) * kv_share;
}

double kv_bytes_per_token_per_gpu(const ModelCard& m, Precision kv, const ParallelLayout& l) {
  return kv_bytes_per_token_per_gpu(m, kv, l.tp) * max_stage_layers(m.num_hidden_layers, l.pp) / m.num_hidden_layers;
}

int sequences_per_gpu(int batch, const ParallelLayout& l) { return (batch + l.attention_dp() - 1) / l.attention_dp(); }

MemoryBreakdown memory_per_gpu(const ModelCard& m, const GpuCard& g, const MemoryRequest& r) {
  MemoryBreakdown b;
  b.capacity = g.memory_bytes;
  b.host_weights = r.offloaded_weight_bytes;
  b.weights = weight_bytes_per_gpu(m, r.weights, r.layout) - r.offloaded_weight_bytes + r.staging_bytes;
  const double per_token = kv_bytes_per_token_per_gpu(m, r.kv_cache, r.layout);
  const double seqs = sequences_per_gpu(r.batch, r.layout);
  const long long gpu_tokens = std::max(0LL, r.kv_tokens - r.host_kv_tokens);
  b.kv_cache = seqs * static_cast<double>(gpu_tokens) * per_token;
  b.host_kv = seqs * static_cast<double>(r.kv_tokens - gpu_tokens) * per_token;
  b.activations = activation_bytes(m, r);
  b.reserve = r.reserve_bytes + r.reserve_fraction * g.memory_bytes;
  return b;
}

int offload_weight_layers(const ModelCard& m, const GpuCard& g, MemoryRequest& r, int gpu_layers) {
  int layers = 0;
  double largest = 0;
  const int keep = gpu_layers >= 0 ? std::min(gpu_layers, m.num_hidden_layers) : -1;
  auto more = [&] { return keep >= 0 ? layers < m.num_hidden_layers - keep : !memory_per_gpu(m, g, r).fits(); };
  while (layers < m.num_hidden_layers && more()) {
    ++layers;
    const double layer = layer_weight_bytes_per_gpu(m, r.weights, r.layout, m.num_hidden_layers - layers);
    largest = std::max(largest, layer);
    r.offloaded_weight_bytes += layer;
    r.staging_bytes = std::min(2, layers) * largest;
  }
  return layers;
}

namespace {
std::string describe_layout(const ParallelLayout& l) {
  std::vector<std::string> parts;
  if (l.tp > 1) parts.push_back(fmt("TP %d", l.tp));
  if (l.ep > 1) parts.push_back(fmt("EP %d", l.ep));
  if (l.pp > 1) parts.push_back(fmt("PP %d", l.pp));
  return parts.empty() ? std::string("one GPU") : join(parts, " x ");
}
}  // namespace

// The largest layout the fewest-GPU search considers (a search bound, not hardware).
constexpr int kMaxSuggestedGpus = 1024;

std::optional<ParallelLayout> fewest_gpus_layout(const ModelCard& m, const GpuCard& g, const MemoryRequest& r) {
  std::optional<ParallelLayout> best;
  std::vector<int> eps{1};
  if (m.moe)
    for (int e = 2; e <= m.moe->n_routed_experts; ++e)
      if (m.moe->n_routed_experts % e == 0) eps.push_back(e);
  // Tensor parallelism stays inside a node: every node file in platforms/nodes holds at most 8 GPUs.
  for (int tp : {1, 2, 4, 8}) {
    if (!tp_compatible(m, tp)) continue;
    for (int ep : eps) {
      if (ep > 1 && ep % tp != 0) continue;  // the stage's GPUs form whole attention groups of TP
      for (int pp = 1; pp <= m.num_hidden_layers; ++pp) {
        ParallelLayout l = r.layout;
        l.tp = tp;
        l.ep = ep;
        l.pp = pp;
        if (l.gpus() > kMaxSuggestedGpus || (best && l.gpus() >= best->gpus())) break;  // more stages only add GPUs
        MemoryRequest q = r;
        q.layout = l;
        if (memory_per_gpu(m, g, q).fits()) {
          best = l;
          break;
        }
      }
    }
  }
  return best;
}

std::vector<std::string> what_would_fit(const ModelCard& m, const GpuCard& g, const MemoryRequest& r) {
  std::vector<std::string> out;
  MemoryBreakdown b = memory_per_gpu(m, g, r);
  if (b.fits()) return out;
  const double room_for_weights = g.memory_bytes - b.reserve;
  if (b.weights + b.activations > room_for_weights) {
    bool quantised_fits = false;
    // the 16-bit format the GPU's tensor cores take (a T4 or V100 has no bf16)
    const Precision b16 = g.compute_precision(Precision::bf16);
    for (Precision p : {b16, Precision::fp8, Precision::int8, Precision::int4}) {
      if (bytes_per_element(p) >= bytes_per_element(r.weights)) continue;
      MemoryRequest q = r;
      q.weights = p;
      if (memory_per_gpu(m, g, q).fits()) {
        out.push_back(fmt("store the weights in %s (%s per GPU)", to_string(p).c_str(),
                          human_bytes(memory_per_gpu(m, g, q).weights).c_str()));
        quantised_fits = true;
        break;
      }
    }
    int tp_gpus = 0;
    for (int tp = r.layout.tp * 2; tp <= 64; tp *= 2) {
      if (!tp_compatible(m, tp)) break;
      MemoryRequest q = r;
      q.layout.tp = tp;
      if (q.layout.ep > 1) q.layout.ep = std::max(q.layout.ep, tp);
      if (memory_per_gpu(m, g, q).fits()) {
        out.push_back(fmt("use %d GPUs with tensor parallelism (%s of weights each)", q.layout.gpus(),
                          human_bytes(memory_per_gpu(m, g, q).weights).c_str()));
        tp_gpus = q.layout.gpus();
        break;
      }
    }
    // The fewest of these GPUs that hold it, over tensor (within a node), expert and pipeline
    // parallelism together and any number of stages; then at the cheaper precisions when none of them
    // fits one GPU (one 8-bit option: the format this GPU multiplies natively, fp8 else int8).
    auto fewest = [&](Precision p) -> std::optional<std::pair<ParallelLayout, double>> {
      MemoryRequest q = r;
      q.weights = p;
      const auto l = fewest_gpus_layout(m, g, q);
      if (!l) return std::nullopt;
      q.layout = *l;
      return std::make_pair(*l, memory_per_gpu(m, g, q).weights);
    };
    const auto here = fewest(r.weights);
    if (here && (tp_gpus == 0 || here->first.gpus() < tp_gpus))
      out.push_back(fmt("the fewest %s: %d (%s, %s of weights each)", g.id.c_str(), here->first.gpus(),
                        describe_layout(here->first).c_str(), human_bytes(here->second).c_str()));
    if (!quantised_fits) {
      const Precision eight = g.compute_precision(Precision::fp8) == Precision::fp8 ? Precision::fp8
                              : g.compute_precision(Precision::int8) == Precision::int8 ? Precision::int8
                                                                                        : Precision::fp8;
      for (Precision p : {eight, Precision::int4}) {
        if (bytes_per_element(p) >= bytes_per_element(r.weights)) continue;
        const auto l = fewest(p);
        if (l && (!here || l->first.gpus() < here->first.gpus()))
          out.push_back(fmt("%s weights on %d %s (%s, %s of weights each)", to_string(p).c_str(), l->first.gpus(),
                            g.id.c_str(), describe_layout(l->first).c_str(), human_bytes(l->second).c_str()));
      }
    }
    if (out.empty())
      out.push_back(fmt("a GPU with more memory: no layout of these GPUs up to %d holds it", kMaxSuggestedGpus));
    return out;
  }
  // The weights fit: trade batch or context for KV cache.
  for (int batch = r.batch - 1; batch >= 1; --batch) {
    MemoryRequest q = r;
    q.batch = batch;
    if (memory_per_gpu(m, g, q).fits()) {
      out.push_back(fmt("a batch of %d at this context", batch));
      break;
    }
  }
  long long lo = 0, hi = r.kv_tokens;
  while (lo < hi) {  // largest context that fits at this batch
    long long mid = (lo + hi + 1) / 2;
    MemoryRequest q = r;
    q.kv_tokens = mid;
    q.prefill_tokens = std::min(q.prefill_tokens, mid);
    if (memory_per_gpu(m, g, q).fits()) lo = mid; else hi = mid - 1;
  }
  if (lo > 0) out.push_back(fmt("at most %lld tokens per sequence at batch %d", lo, r.batch));
  if (r.kv_cache != Precision::fp8 && r.kv_cache != Precision::int8) {
    MemoryRequest q = r;
    q.kv_cache = Precision::fp8;
    if (memory_per_gpu(m, g, q).fits()) out.push_back("an fp8 KV cache");
  }
  return out;
}

}  // namespace dssim
