#include <catch2/catch.hpp>

#include <algorithm>

#include "config/catalog.hpp"
#include "model/model_work.hpp"
#include "model/operators.hpp"
#include "op_helpers.hpp"

using namespace dssim;
using test::find;
using test::model;

TEST_CASE("7B prefill operators: FLOPs and bytes by hand", "[model][ops]") {
  ModelCard m = model("deepseek-llm-7b");
  ForwardConfig cfg;
  auto ops = build_forward(m, cfg, ForwardShape{true, 4, 512, 512});
  const double T = 4 * 512;
  const Op& qkv = find(ops, "qkv");
  CHECK(qkv.m == T);
  CHECK(qkv.n == 3 * 4096);
  CHECK(qkv.flops == Approx(2.0 * T * 12288 * 4096));
  CHECK(qkv.bytes == Approx((T * 4096 + 4096.0 * 12288 + T * 12288) * 2));
  const Op& attn = find(ops, "attention");
  // causal: every query sees itself and the earlier tokens, 512*513/2 pairs, QK^T and PV
  CHECK(attn.flops == Approx(2.0 * 4 * 32 * (512.0 * 513 / 2) * (128 + 128)));
  CHECK(find(ops, "gate_up").n == 2 * 11008);
  CHECK(find(ops, "down").k == 11008);
  const Op& head = find(ops, "lm_head", -1);
  CHECK(head.m == 4);  // logits of the last position only
  CHECK(head.n == 102400);
  CHECK(find(ops, "silu").bytes == Approx(2.0 * T * 11008 * 2));
}

TEST_CASE("the unfused decoder's strided element-wise kernels, by hand", "[model][ops]") {
  ModelCard m = model("deepseek-llm-7b");
  auto ops = build_forward(m, ForwardConfig{}, ForwardShape{true, 2, 100, 100});
  const double T = 200, q = T * 32 * 128, I = 11008;
  // RoPE on the q/k views and the broadcast tables: x*cos, -x2 (half), cat, *sin, add
  CHECK(find(ops, "rope_q_mul_cos", 3).strided_outputs == Approx(q));
  CHECK(find(ops, "rope_q_neg", 3).strided_outputs == Approx(q / 2));
  CHECK(find(ops, "rope_k_cat", 3).strided_outputs == Approx(q));  // MHA: as many K heads
  CHECK(find(ops, "rope_k_add", 3).strided_outputs == Approx(q));
  CHECK(find(ops, "k_cache_write", 3).strided_outputs == Approx(q));
  CHECK(find(ops, "v_cache_write", 3).strided_outputs == Approx(q));
  // SiLU and the product on the two halves of the gate/up output
  CHECK(find(ops, "silu", 3).strided_outputs == Approx(T * I));
  CHECK(find(ops, "silu_mul", 3).strided_outputs == Approx(T * I));
  // contiguous: the norms, the residual adds, the embedding
  CHECK(find(ops, "input_norm", 3).strided_outputs == 0);
  CHECK(find(ops, "attn_residual", 3).strided_outputs == 0);
  CHECK(find(ops, "embedding", -1).strided_outputs == 0);
  // 14 kernels a layer: RoPE's five on q and five on k, the two cache copies, SiLU, the product
  double per_layer = 0;
  for (const Op& o : ops)
    if (o.layer == 3) per_layer += o.strided_outputs;
  CHECK(per_layer == Approx(2 * 4.5 * q + 2 * q + 2 * T * I));
  // an engine's fused kernels are its own, vectorised
  ForwardConfig fused;
  fused.fused = true;
  for (const Op& o : build_forward(m, fused, ForwardShape{true, 2, 100, 100})) CHECK(o.strided_outputs == 0);
}

TEST_CASE("quantised weights: decoder GEMMs read the narrow weights, the LM head stays 16-bit", "[model][ops]") {
  ModelCard m = model("deepseek-llm-7b");
  ForwardConfig cfg;
  cfg.weights = Precision::int4;
  cfg.activations = Precision::fp16;
  auto ops = build_forward(m, cfg, ForwardShape{false, 1, 1, 100});
  const Op& qkv = find(ops, "qkv");
  CHECK(qkv.weight == Precision::int4);
  CHECK(qkv.weight_only);
  const Op& head = find(ops, "lm_head", -1);
  CHECK(head.weight == Precision::fp16);
  CHECK_FALSE(head.weight_only);
  // one row of logits: x (4096), W (4096 x 102400) and the logits, all 2 B
  CHECK(head.bytes == Approx((4096 + 4096.0 * 102400 + 102400) * 2));
  cfg.weights = Precision::fp8;
  CHECK(find(build_forward(m, cfg, ForwardShape{false, 1, 1, 100}), "lm_head", -1).weight == Precision::fp16);
}

TEST_CASE("decode attention reads the whole KV cache", "[model][ops]") {
  ModelCard m = model("deepseek-coder-33b");
  ForwardConfig cfg;
  auto ops = build_forward(m, cfg, ForwardShape{false, 2, 1, 100});
  const Op& attn = find(ops, "attention");
  CHECK(attn.flops == Approx(2.0 * 2 * 56 * 100 * 256));
  // K and V of 8 KV heads x 128 dims in bf16 for 100 tokens of 2 sequences, plus q and out
  CHECK(attn.bytes == Approx(2.0 * 100 * (2 * 8 * 128 * 2) + 2.0 * 2 * 56 * 256 / 2 * 2));
  CHECK(find(ops, "qkv").n == (56 + 16) * 128);
}

TEST_CASE("an engine that reads KV once per query head moves heads / kv_heads times the decode cache bytes", "[model][ops]") {
  ModelCard m = model("deepseek-coder-33b");  // 56 query heads over 8 KV heads
  ForwardConfig cfg;
  cfg.decode_kv_per_query_head = true;
  auto ops = build_forward(m, cfg, ForwardShape{false, 2, 1, 100});
  const Op& attn = find(ops, "attention");
  CHECK(attn.flops == Approx(2.0 * 2 * 56 * 100 * 256));  // the same arithmetic
  // K and V of 56 heads' reads x 128 dims in bf16 for 100 tokens of 2 sequences, plus q and out
  CHECK(attn.bytes == Approx(2.0 * 100 * (2 * 56 * 128 * 2) + 2.0 * 2 * 56 * 256 / 2 * 2));
  // prefill (FMHA) reads each KV head once whatever the flag says
  auto pre = build_forward(m, cfg, ForwardShape{true, 1, 64, 64});
  ForwardConfig plain;
  auto pre_plain = build_forward(m, plain, ForwardShape{true, 1, 64, 64});
  CHECK(find(pre, "attention").bytes == Approx(find(pre_plain, "attention").bytes));
}

TEST_CASE("tensor parallelism splits heads and MLP and adds two all-reduces per layer", "[model][ops]") {
  ModelCard m = model("deepseek-llm-67b");
  ForwardConfig cfg;
  cfg.layout.tp = 4;
  auto ops = build_forward(m, cfg, ForwardShape{false, 1, 1, 10});
  CHECK(find(ops, "qkv").n == (16 + 2 * 2) * 128);
  CHECK(find(ops, "down").k == 22016 / 4);
  auto n = std::count_if(ops.begin(), ops.end(), [](const Op& o) { return o.kind == OpKind::allreduce; });
  CHECK(n == 2 * 95);
  CHECK(find(ops, "attn_allreduce").bytes == Approx(8192 * 2));
}

TEST_CASE("MoE expert routing and MLA absorbed decode", "[model][ops]") {
  CHECK(expected_active_experts(1, 8, 256) == Approx(8));
  CHECK(expected_active_experts(1e6, 8, 256) == Approx(256));
  CHECK(expected_active_experts(2, 1, 2) == Approx(1.5));
  ModelCard m = model("deepseek-v3");
  ForwardConfig cfg;
  auto ops = build_forward(m, cfg, ForwardShape{false, 1, 1, 1000});
  const Op& attn = find(ops, "attention_latent");
  CHECK(attn.latent);
  // latent cache of 1000 tokens: (512 + 64) elements each in bf16
  CHECK(attn.bytes == Approx(1000.0 * 576 * 2 + 2.0 * 128 * (576 + 512) / 2 * 2));
  const Op& up = find(ops, "experts_gate_up", 3);
  CHECK(up.groups == 8);
  CHECK(up.m == Approx(1.0));
  CHECK(up.n == 2 * 2048);
  auto moe_layers = std::count_if(ops.begin(), ops.end(), [](const Op& o) { return o.name == "experts_gate_up"; });
  CHECK(moe_layers == 61 - 3);  // the first three layers are dense
  CHECK(std::count_if(ops.begin(), ops.end(), [](const Op& o) { return o.name == "gate_up"; }) == 3);
}

TEST_CASE("fused-kernel runtime: the operator list of a serving engine, by hand", "[model][ops][fused]") {
  ModelCard m = model("deepseek-llm-7b");
  ForwardConfig cfg;
  cfg.fused = true;
  auto ops = build_forward(m, cfg, ForwardShape{false, 4, 1, 100});
  // per layer: norm, qkv, rope_qk, reshape_and_cache, attention, o_proj, norm, gate_up, silu_and_mul, down;
  // embedding before, final_norm and lm_head after; no host-only ops, no RoPE tables
  CHECK(ops.size() == 30u * 10 + 3);
  CHECK(std::none_of(ops.begin(), ops.end(), [](const Op& o) { return o.kind == OpKind::host_only; }));
  const double T = 4, h = 4096, a = 2;
  CHECK(find(ops, "input_norm", 0).bytes == Approx(2 * T * h * a));  // nothing to add before layer 0
  CHECK(find(ops, "fused_add_input_norm", 1).bytes == Approx(4 * T * h * a));
  CHECK(find(ops, "fused_add_post_norm", 0).bytes == Approx(4 * T * h * a));
  CHECK(find(ops, "rope_qk", 0).bytes == Approx(2 * T * (32 + 32) * 128 * a));
  CHECK(find(ops, "reshape_and_cache", 0).bytes == Approx(2 * T * 32 * 128 * (a + 2)));
  CHECK(find(ops, "silu_and_mul", 0).bytes == Approx(3 * T * 11008 * a));
  CHECK(find(ops, "final_norm", -1).bytes == Approx(4 * T * h * a));
  // the GEMMs and the attention are the same kernels as unfused
  auto plain = build_forward(m, ForwardConfig{}, ForwardShape{false, 4, 1, 100});
  CHECK(find(ops, "attention", 3).bytes == Approx(find(plain, "attention", 3).bytes));
  CHECK(find(ops, "gate_up", 3).flops == Approx(find(plain, "gate_up", 3).flops));
}

TEST_CASE("the model's work (MFU and MBU numerators): by hand, and the same under any layout", "[model][ops][mfu]") {
  ModelCard m = model("deepseek-llm-7b");
  ForwardConfig cfg;
  // one decode step of one sequence at KV length 1025: per layer the GEMMs qkv, o, gate_up and down
  // (2 x 4096 x (12288 + 4096 + 22016) + 2 x 11008 x 4096), attention 2 x 32 heads x 1025 x (128 + 128);
  // then the LM head 2 x 4096 x 102400; 30 layers
  const double gemm = 2.0 * 4096 * (12288 + 4096 + 22016) + 2.0 * 11008 * 4096;
  const double attention = 2.0 * 32 * 1025 * 256;
  const double expected = 30 * (gemm + attention) + 2.0 * 4096 * 102400;
  const ModelWork one = model_work(m, cfg, ForwardShape{false, 1, 1, 1025});
  CHECK(one.flops == Approx(expected).epsilon(1e-12));
  // the bytes include every weight once (13.9 GB of bf16 weights, embedding row lookups aside)
  CHECK(one.bytes > 2.0 * 30 * (4096.0 * 49408));
  ForwardConfig tp = cfg;
  tp.layout.tp = 2;
  const ModelWork split = model_work(m, tp, ForwardShape{false, 1, 1, 1025});
  CHECK(split.flops == one.flops);
  CHECK(split.bytes == one.bytes);
  double rank_flops = 0;
  for (const Op& op : build_forward(m, tp, ForwardShape{false, 1, 1, 1025})) rank_flops += op.flops;
  CHECK(rank_flops < 0.6 * one.flops);  // a rank of the TP group does about half

  // 1e12 FLOPs and 1e11 bytes in 10 ms on 2 GPUs of 100 TFLOP/s and 10 TB/s: 100 TFLOP/s and 10 TB/s
  // achieved, half of the pair's peaks
  const AchievedRates r = achieved_rates(ModelWork{1e12, 1e11}, 0.01, 2, 100e12, 10e12);
  CHECK(r.flops_per_s == Approx(1e14));
  CHECK(r.bytes_per_s == Approx(1e13));
  CHECK(r.mfu == Approx(0.5));
  CHECK(r.mbu == Approx(0.5));
  CHECK(achieved_rates(ModelWork{1, 1}, 0, 1, 1, 1).mfu == 0);  // no time: no rate, not infinity
}
