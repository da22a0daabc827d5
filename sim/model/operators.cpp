#include "model/operators.hpp"
#include "model/params.hpp"

#include <algorithm>
#include <optional>
#include <cmath>

namespace dssim {

Precision activation_precision(Precision weights, const GpuCard& gpu) {
  if (weights == Precision::fp32) return Precision::fp32;
  if (weights == Precision::fp16) return Precision::fp16;
  return gpu.compute_precision(Precision::bf16) == Precision::bf16 ? Precision::bf16 : Precision::fp16;
}

double expected_active_experts(double tokens, int k, int e) {
  if (tokens <= 0) return 0;
  return e * (1.0 - std::pow(1.0 - static_cast<double>(k) / e, tokens));
}

Op make_gemm_op(const std::string& name, double m, double n, double k, Precision weight, Precision act,
                bool weight_only, int groups) {
  Op o;
  o.kind = OpKind::gemm;
  o.name = name;
  o.m = m;
  o.n = n;
  o.k = k;
  o.groups = groups;
  o.weight = weight;
  o.act = act;
  o.weight_only = weight_only;
  const double a = bytes_per_element(act);
  o.flops = 2.0 * m * n * k * groups;
  o.bytes = groups * (m * k * a + k * n * bytes_per_element(weight) + m * n * a);
  return o;
}

Op make_attention_op(bool prefill, int batch, double q_len, double kv_len, int heads, int kv_heads, double qk_dim,
                     double v_dim, bool latent, double kv_bytes_per_token, double act_bytes) {
  Op o;
  o.kind = OpKind::attention;
  o.name = latent ? "attention_latent" : "attention";
  o.prefill = prefill;
  o.latent = latent;
  o.heads = heads;
  o.kv_heads = kv_heads;
  o.qk_dim = qk_dim;
  o.v_dim = v_dim;
  set_attention_shape(o, batch, q_len, kv_len, kv_bytes_per_token, act_bytes);
  return o;
}

void set_attention_shape(Op& o, int batch, double q_len, double kv_len, double kv_bytes_per_token, double act_bytes) {
  o.batch = batch;
  o.q_len = q_len;
  o.kv_len = kv_len;
  o.kv_token_bytes = kv_bytes_per_token;
  // query/key pairs under the causal mask: the new tokens see the older context and a triangle
  const double pairs = q_len * (kv_len - q_len) + q_len * (q_len + 1) / 2.0;
  o.flops = 2.0 * batch * o.heads * pairs * (o.qk_dim + o.v_dim);
  // KV read + Q read + O write
  o.bytes = batch * kv_len * kv_bytes_per_token + batch * q_len * o.heads * (o.qk_dim + o.v_dim) * act_bytes;
}

namespace {

class Builder {
 public:
  Builder(const ModelCard& m, const ForwardConfig& c, const ForwardShape& s)
      : m_(m), c_(c), s_(s), a_(bytes_per_element(c.activations)), kvb_(bytes_per_element(c.kv_cache)),
        // data-parallel attention: this rank's group takes its share of the sequences (the busiest, ceil)
        batch_((s.batch + c.attention_groups() - 1) / c.attention_groups()),
        T_(static_cast<double>(batch_) * static_cast<double>(s.new_tokens)), h_(static_cast<double>(m.hidden_size)),
        tp_(c.layout.tp) {}

  std::vector<Op> build() {
    ops_.reserve(static_cast<std::size_t>(m_.num_hidden_layers + 2) * 32);  // priced thousands of times a run
    const int pp = std::max(1, c_.layout.pp);
    const bool whole = c_.stage < 0;
    int first = 0, last = m_.num_hidden_layers;
    if (!whole) {
      const int base = m_.num_hidden_layers / pp, extra = m_.num_hidden_layers % pp;
      first = c_.stage * base + std::min(c_.stage, extra);
      last = first + base + (c_.stage < extra ? 1 : 0);
    }
    if (whole || c_.stage == 0) preamble();
    for (int l = first; l < last; ++l) layer(l);
    if (whole || c_.stage == pp - 1) {
      epilogue();
    } else {
      // the hidden states to the same rank of the next stage (a 1/TP slice each, gathered there)
      Op o;
      o.kind = OpKind::p2p;
      o.name = "stage_send";
      o.layer = last - 1;
      o.bytes = T_ * h_ * a_ / tp_;
      ops_.push_back(o);
    }
    return std::move(ops_);
  }

 private:
  void gemm(const std::string& name, double m, double n, double k, Precision w, int groups = 1) {
    const bool wo = w == Precision::int4 || (c_.weight_only && (w == Precision::int8 || w == Precision::fp8));
    Op o = make_gemm_op(name, m, n, k, w, c_.activations, wo, groups);
    o.layer = layer_;
    // A 2:4-sparse model prunes its decoder layers' weights; the embedding and LM head stay dense.
    if (m_.sparse24 && layer_ >= 0) {
      o.sparse24 = true;
      o.bytes -= groups * k * n * bytes_per_element(w) * (1.0 - sparse_weight_fraction(w));
    }
    ops_.push_back(o);
  }
  // An element-wise kernel touching `elems_moved` activation elements (reads + writes); `strided`: the
  // elements it writes when it runs on PyTorch's generic strided path (Op::strided_outputs).
  void elementwise(const std::string& name, double elems_moved, double strided = 0) {
    Op o;
    o.kind = OpKind::elementwise;
    o.name = name;
    o.layer = layer_;
    o.bytes = elems_moved * a_;
    o.strided_outputs = strided;
    ops_.push_back(o);
  }
  // An element-wise kernel reading `elems` activations and writing them in the KV cache's precision;
  // `strided`: a PyTorch copy from a view (a split of the QKV output, a transposed head layout).
  void cache_write(const std::string& name, double elems, bool strided = false) {
    elementwise(name, 0, strided ? elems : 0);
    ops_.back().bytes = elems * (a_ + kvb_);
  }
  void host(const std::string& name, int count) {
    if (c_.fused) return;  // views and slices are traced away with the graph
    Op o;
    o.kind = OpKind::host_only;
    o.name = name;
    o.layer = layer_;
    o.host_ops = count;
    ops_.push_back(o);
  }
  void collective(OpKind kind, const std::string& name, double elems) {
    Op o;
    o.kind = kind;
    o.name = name;
    o.layer = layer_;
    o.bytes = elems * a_;
    ops_.push_back(o);
  }
  void allreduce(const std::string& name, double elems) {
    if (tp_ > 1) collective(OpKind::allreduce, name, elems);
  }
  // RoPE as the reference decoder writes it: x*cos + cat(-x2, x1)*sin, five kernels. Every one reads a
  // view (q/k split off the QKV output and transposed, their halves) or a broadcast cos/sin table, or
  // adds two tensors of different layouts: all run on PyTorch's strided path.
  void rope(const std::string& what, double elems) {
    host("rope_" + what + "_slices", 2);
    elementwise("rope_" + what + "_mul_cos", 2 * elems, elems);
    elementwise("rope_" + what + "_neg", elems, elems / 2);
    elementwise("rope_" + what + "_cat", 2 * elems, elems);
    elementwise("rope_" + what + "_mul_sin", 2 * elems, elems);
    elementwise("rope_" + what + "_add", 3 * elems, elems);
  }

  void preamble() {
    layer_ = -1;
    elementwise("embedding", 2 * T_ * h_);
    if (c_.fused) return;  // a cos/sin cache built once at start-up
    // position ids, inverse frequencies, outer product, cos/sin tables: small kernels every step
    const double table = static_cast<double>(s_.new_tokens) * static_cast<double>(m_.head_dim);
    for (const char* n : {"rope_pos_arange", "rope_dim_arange", "rope_div", "rope_pow", "rope_recip", "rope_outer",
                          "rope_cos_a", "rope_cos_b", "rope_cat_cos", "rope_cos_cast", "rope_sin_a", "rope_sin_b",
                          "rope_cat_sin", "rope_sin_cast"})
      elementwise(n, 2 * table);
  }

  void epilogue() {
    layer_ = -1;
    const double B = batch_;
    host("last_position", 1);
    elementwise("final_norm", (c_.fused ? 4 : 2) * B * h_);  // fused: with the last layer's residual add
    gemm("lm_head", B, static_cast<double>(m_.vocab_size) / tp_, h_, lm_head_precision(c_.weights, c_.activations));
  }

  void attention_op(double heads, double kv_heads, double qk, double v, bool latent, double kv_bytes_per_token) {
    Op o = make_attention_op(s_.prefill, batch_, static_cast<double>(s_.new_tokens), static_cast<double>(s_.context),
                             static_cast<int>(heads), static_cast<int>(kv_heads), qk, v, latent, kv_bytes_per_token, a_);
    o.layer = layer_;
    ops_.push_back(o);
  }

  void standard_attention() {
    const double H = std::max(1, m_.num_attention_heads / tp_);
    const double Hkv = std::max(1, m_.num_key_value_heads / tp_);
    const double D = static_cast<double>(m_.head_dim);
    norm("input_norm");
    gemm("qkv", T_, (H + 2 * Hkv) * D, h_, c_.weights);
    host("qkv_split_views", 7);
    if (c_.fused) {
      elementwise("rope_qk", 2 * T_ * (H + Hkv) * D);
      cache_write("reshape_and_cache", 2 * T_ * Hkv * D);
    } else {
      rope("q", T_ * H * D);
      rope("k", T_ * Hkv * D);
      host("kv_cache_slices", 4);
      cache_write("k_cache_write", T_ * Hkv * D, true);
      cache_write("v_cache_write", T_ * Hkv * D, true);
    }
    const double kv_read_heads = !s_.prefill && c_.decode_kv_per_query_head ? H : Hkv;
    attention_op(H, Hkv, D, D, false, 2.0 * kv_read_heads * D * kvb_);
    host("attn_out_views", 2);
    if (s_.new_tokens > 1 && !c_.fused) elementwise("attn_out_transpose", 2 * T_ * H * D);
    gemm("o_proj", T_, h_, H * D, c_.weights);
    allreduce("attn_allreduce", T_ * h_);
    residual("attn_residual");
  }

  // RMSNorm; fused, it also adds the residual the previous block left (read x and residual, write both).
  void norm(const std::string& name) {
    if (c_.fused && layer_ > 0) elementwise("fused_add_" + name, 4 * T_ * h_);
    else elementwise(name, 2 * T_ * h_);
  }
  void residual(const std::string& name) {
    if (!c_.fused) elementwise(name, 3 * T_ * h_);
  }
  // Before the MLP: fused, the attention's residual add goes into this norm.
  void post_norm() {
    if (c_.fused) elementwise("fused_add_post_norm", 4 * T_ * h_);
    else elementwise("post_norm", 2 * T_ * h_);
  }

  void mla_attention() {
    const auto& a = *m_.mla;
    const double H = std::max(1, m_.num_attention_heads / tp_);
    const double nope = static_cast<double>(a.qk_nope_head_dim), rope_d = static_cast<double>(a.qk_rope_head_dim);
    const double r = static_cast<double>(a.kv_lora_rank), v = static_cast<double>(a.v_head_dim);
    norm("input_norm");
    if (a.q_lora_rank > 0) {
      gemm("q_a_proj", T_, static_cast<double>(a.q_lora_rank), h_, c_.weights);
      elementwise("q_a_norm", 2 * T_ * static_cast<double>(a.q_lora_rank));
      gemm("q_b_proj", T_, H * (nope + rope_d), static_cast<double>(a.q_lora_rank), c_.weights);
    } else {
      gemm("q_proj", T_, H * (nope + rope_d), h_, c_.weights);
    }
    gemm("kv_a_proj", T_, r + rope_d, h_, c_.weights);
    elementwise("kv_a_norm", 2 * T_ * r);
    host("mla_split_views", 6);
    if (c_.fused) {
      elementwise("rope_qk", 2 * T_ * (H + 1) * rope_d);
    } else {
      rope("q", T_ * H * rope_d);
      rope("k", T_ * rope_d);
    }
    cache_write("latent_cache_write", T_ * (r + rope_d), !c_.fused);
    if (s_.prefill) {
      // prefill: expand the latent of every position attended (earlier chunks' too) into per-head keys
      // and values, then ordinary attention over them in the activation precision
      const double C = static_cast<double>(batch_) * static_cast<double>(s_.context);
      gemm("kv_b_proj", C, H * (nope + v), r, c_.weights);
      elementwise("k_concat", 2 * C * H * (nope + rope_d));
      attention_op(H, H, nope + rope_d, v, false, H * (nope + rope_d + v) * a_);
      if (s_.new_tokens > 1 && !c_.fused) elementwise("attn_out_transpose", 2 * T_ * H * v);
    } else {
      // decode: absorb W_UK into the query and W_UV into the output, attend over the latent cache
      gemm("q_absorb_uk", T_, r, nope, c_.weights, static_cast<int>(H));
      attention_op(H, 1, r + rope_d, r, true, (r + rope_d) * kvb_);
      gemm("out_absorb_uv", T_, v, r, c_.weights, static_cast<int>(H));
    }
    gemm("o_proj", T_, h_, H * v, c_.weights);
    allreduce("attn_allreduce", T_ * h_);
    residual("attn_residual");
  }

  void dense_mlp(double inter) {
    const double I = inter / tp_;
    post_norm();
    gemm("gate_up", T_, 2 * I, h_, c_.weights);
    host("gate_up_chunk", 1);
    if (c_.fused) {
      elementwise("silu_and_mul", 3 * T_ * I);
    } else {
      // on the two halves `chunk` cuts out of the gate/up output: strided views
      elementwise("silu", 2 * T_ * I, T_ * I);
      elementwise("silu_mul", 3 * T_ * I, T_ * I);
    }
    gemm("down", T_, h_, I, c_.weights);
    allreduce("mlp_allreduce", T_ * h_);
    residual("mlp_residual");
  }

  void moe_mlp() {
    const auto& e = *m_.moe;
    const int E = e.n_routed_experts, k = e.num_experts_per_tok;
    const int ep = std::max(1, c_.layout.ep);
    // Expert parallel: each of the stage's ranks routes a 1/TP slice of its group's tokens, sends them to
    // the ranks holding their experts and runs whole experts; else every expert is split over TP ranks.
    const double I = static_cast<double>(e.moe_intermediate_size) / (ep > 1 ? 1 : tp_);
    const double T = ep > 1 ? T_ / tp_ : T_;
    post_norm();
    gemm("router", T, E, h_, c_.activations);
    elementwise("router_topk", 2 * T * E * 2);
    if (!moe_load_) {  // the same in every MoE layer of the pass: priced once (hundreds of pow each)
      const std::vector<double> shares = expert_shares(E, c_.layout.routing_skew);
      const double all_tokens = T * ep;  // the tokens every rank of the EP group routes together
      moe_load_ = slowest_rank_bound(moe_rank_loads(all_tokens, k, shares, ep, c_.layout.placement, c_.layout.redundant_experts));
    }
    const RankLoad load = *moe_load_;
    const double per_expert = load.active_experts > 0 ? load.tokens / load.active_experts : 0.0;
    const int groups = std::max(1, static_cast<int>(std::lround(load.active_experts)));
    if (ep > 1) {
      collective(OpKind::alltoall, "moe_dispatch_a2a", T * k * h_);
      if (c_.layout.fp8_dispatch) ops_.back().bytes = T * k * h_ * (1.0 + 4.0 / 128);  // fp8 + one fp32 scale per 128
      ops_.back().node_forward = c_.layout.deepep && s_.prefill;
    }
    elementwise("moe_dispatch", 2 * load.tokens * h_);
    gemm("experts_gate_up", per_expert, 2 * I, h_, c_.weights, groups);
    elementwise(c_.fused ? "experts_silu_and_mul" : "experts_silu_mul", (c_.fused ? 3 : 5) * load.tokens * I,
                c_.fused ? 0 : 2 * load.tokens * I);
    gemm("experts_down", per_expert, h_, I, c_.weights, groups);
    if (ep > 1) {
      collective(OpKind::alltoall, "moe_combine_a2a", T * k * h_);
      ops_.back().node_forward = c_.layout.deepep && s_.prefill;
    }
    elementwise("moe_combine", T * k * h_ + T * h_);
    if (e.n_shared_experts > 0) {
      const double Is = e.n_shared_experts * I;
      gemm("shared_gate_up", T, 2 * Is, h_, c_.weights);
      elementwise(c_.fused ? "shared_silu_and_mul" : "shared_silu_mul", (c_.fused ? 3 : 5) * T * Is, c_.fused ? 0 : 2 * T * Is);
      gemm("shared_down", T, h_, Is, c_.weights);
    }
    if (ep > 1) {
      if (tp_ > 1) collective(OpKind::allgather, "moe_allgather", T_ * h_);
    } else {
      allreduce("mlp_allreduce", T_ * h_);
    }
    residual("mlp_residual");
  }

  void layer(int l) {
    layer_ = l;
    if (m_.mla)
      mla_attention();
    else
      standard_attention();
    if (m_.is_moe_layer(l))
      moe_mlp();
    else
      dense_mlp(static_cast<double>(m_.intermediate_size));
  }

  const ModelCard& m_;
  const ForwardConfig& c_;
  const ForwardShape& s_;
  double a_, kvb_;
  int batch_;
  double T_, h_;
  int tp_;
  int layer_ = -1;
  std::vector<Op> ops_;
  std::optional<RankLoad> moe_load_;
};

}  // namespace

std::vector<Op> build_forward(const ModelCard& m, const ForwardConfig& cfg, const ForwardShape& s) {
  return Builder(m, cfg, s).build();
}

}  // namespace dssim
