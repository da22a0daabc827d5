// MLA and MoE operator counts of DeepSeek-V2-Lite and DeepSeek-V3, by hand from the model cards.
//
// deepseek-v2-lite: hidden h = 2048, 27 layers, H = 16 heads, q_lora_rank = 0 (q_proj, no q LoRA),
//   kv_lora_rank r = 512, qk_nope dn = 128, qk_rope dr = 64, v_head_dim dv = 128, vocab 102400;
//   MoE: 64 routed experts, top-6, moe_intermediate Ie = 1408, 2 shared, first_k_dense_replace = 1
//   (layer 0 dense, intermediate 10944).
// deepseek-v3: h = 7168, 61 layers, H = 128, q_lora_rank = 1536, r = 512, dn = 128, dr = 64, dv = 128,
//   vocab 129280; MoE: 256 routed, top-8, Ie = 2048, 1 shared, first 3 layers dense (intermediate 18432).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "config/catalog.hpp"
#include "timing/iteration_cost.hpp"
#include "profile/gpu_profile.hpp"
#include "timing/kernel_cost.hpp"
#include "model/operators.hpp"
#include "op_helpers.hpp"
#include "model/params.hpp"

using namespace dssim;
using test::find;
using test::model;

namespace {
bool has(const std::vector<Op>& ops, const std::string& name) {
  return std::any_of(ops.begin(), ops.end(), [&](const Op& o) { return o.name == name; });
}
// FLOPs of the GEMMs of one layer
double gemm_flops(const std::vector<Op>& ops, int layer, const std::vector<std::string>& names) {
  double f = 0;
  for (const auto& n : names) f += find(ops, n, layer).flops;
  return f;
}
// weight elements every GEMM of the pass reads: groups * K * N
double weight_elements(const std::vector<Op>& ops) {
  double w = 0;
  for (const Op& o : ops)
    if (o.kind == OpKind::gemm) w += o.groups * o.k * o.n;
  return w;
}
const std::vector<std::string> kPrefillV2Lite = {"q_proj", "kv_a_proj", "kv_b_proj", "o_proj"};
const std::vector<std::string> kDecodeV2Lite = {"q_proj", "kv_a_proj", "q_absorb_uk", "out_absorb_uv", "o_proj"};
}  // namespace

TEST_CASE("V2-Lite MLA prefill: naive form, kv_b_proj expands the latent", "[mla]") {
  ModelCard m = model("deepseek-v2-lite");
  auto ops = build_forward(m, ForwardConfig{}, ForwardShape{true, 1, 512, 512});
  const double T = 512;
  // q_proj: N = H*(dn+dr) = 16*192 = 3072, K = h = 2048 (no q LoRA)
  CHECK(find(ops, "q_proj", 0).n == 3072);
  CHECK(find(ops, "q_proj", 0).flops == Approx(2 * T * 3072 * 2048));
  // kv_a_proj: N = r + dr = 576, K = 2048; kv_b_proj: N = H*(dn+dv) = 16*256 = 4096, K = r = 512
  CHECK(find(ops, "kv_a_proj", 0).flops == Approx(2 * T * 576 * 2048));
  CHECK(find(ops, "kv_b_proj", 0).n == 4096);
  CHECK(find(ops, "kv_b_proj", 0).k == 512);
  // o_proj: N = h, K = H*dv = 2048
  CHECK(find(ops, "o_proj", 0).flops == Approx(2 * T * 2048 * 2048));
  // per layer: 2T (2048*3072 + 2048*576 + 512*4096 + 2048*2048) = 2*512*13,762,560 = 14,092,861,440
  CHECK(gemm_flops(ops, 0, kPrefillV2Lite) == Approx(14092861440.0));
  CHECK_FALSE(has(ops, "q_absorb_uk"));
  // attention over expanded heads: qk = dn + dr = 192, v = 128, 16 heads;
  // causal pairs 512*513/2 = 131,328 -> 2 * 16 * 131,328 * 320 = 1,344,798,720 FLOPs
  const Op& a = find(ops, "attention", 0);
  CHECK_FALSE(a.latent);
  CHECK(a.qk_dim == 192);
  CHECK(a.v_dim == 128);
  CHECK(a.flops == Approx(1344798720.0));
  // bytes: the naive form reads the expanded per-head K and V, not the latent, in the activation precision:
  // 512 positions * 16 * (192 + 128) * 2 B = 5,242,880, + q/o 512 * 16 * (192 + 128) * 2 B = 5,242,880
  CHECK(a.bytes == Approx(5242880.0 + 5242880.0));
  ForwardConfig fp8;
  fp8.kv_cache = Precision::fp8;
  auto ops8 = build_forward(m, fp8, ForwardShape{true, 1, 512, 512});
  // an fp8 latent cache changes only what the cache write stores: 512 * 576 * (2 B read + 1 B written)
  CHECK(find(ops8, "attention", 0).bytes == Approx(a.bytes));
  CHECK(find(ops8, "attention", 0).flops == Approx(a.flops));
  CHECK(find(ops8, "latent_cache_write", 0).bytes == Approx(512.0 * 576 * 3));
  CHECK(find(ops, "latent_cache_write", 0).bytes == Approx(512.0 * 576 * 4));
  // a second chunk of 256 tokens after 512: kv_b_proj expands all 768 attended positions
  auto chunk = build_forward(m, ForwardConfig{}, ForwardShape{true, 1, 256, 768});
  CHECK(find(chunk, "kv_b_proj", 0).m == 768);
  CHECK(find(chunk, "q_proj", 0).m == 256);
}

TEST_CASE("V2-Lite MLA decode: absorbed form over the latent cache", "[mla]") {
  ModelCard m = model("deepseek-v2-lite");
  auto ops = build_forward(m, ForwardConfig{}, ForwardShape{false, 8, 1, 2000});
  const double T = 8;
  // q_absorb_uk: 16 groups (heads) of [T, N = r = 512, K = dn = 128]; out_absorb_uv: 16 x [T, dv = 128, K = r]
  const Op& uk = find(ops, "q_absorb_uk", 0);
  CHECK(uk.groups == 16);
  CHECK(uk.n == 512);
  CHECK(uk.k == 128);
  CHECK(uk.flops == Approx(2 * T * 512 * 128 * 16));
  const Op& uv = find(ops, "out_absorb_uv", 0);
  CHECK(uv.groups == 16);
  CHECK(uv.n == 128);
  CHECK(uv.k == 512);
  // the two absorbed GEMMs hold exactly kv_b_proj's weights: 16 * 512 * (128 + 128) = 2,097,152
  CHECK(uk.groups * uk.k * uk.n + uv.groups * uv.k * uv.n == Approx(2097152));
  CHECK_FALSE(has(ops, "kv_b_proj"));
  // per layer: 2T * (3072*2048 + 576*2048 + 16*512*128 * 2 + 2048*2048) = 16 * 13,762,560
  CHECK(gemm_flops(ops, 0, kDecodeV2Lite) == Approx(16 * 13762560.0));
  // latent attention: 16 heads over one shared latent "KV head", qk = r + dr = 576, v = r = 512;
  // FLOPs 2 * 8 * 16 * 2000 * 1088; bytes 8 * 2000 * 576 * 2 B + q/o 8 * 16 * 1088 * 2 B
  const Op& a = find(ops, "attention_latent", 0);
  CHECK(a.latent);
  CHECK(a.kv_heads == 1);
  CHECK(a.flops == Approx(2.0 * 8 * 16 * 2000 * 1088));
  CHECK(a.bytes == Approx(8.0 * 2000 * 576 * 2 + 8.0 * 16 * 1088 * 2));
}

TEST_CASE("V3 MLA: q LoRA, per-layer GEMM FLOPs in prefill and decode, fp8 latent cache", "[mla]") {
  ModelCard m = model("deepseek-v3");
  auto pre = build_forward(m, ForwardConfig{}, ForwardShape{true, 1, 512, 512});
  // q_a 7168 -> 1536, q_b 1536 -> 128*192 = 24576, kv_a 7168 -> 576, kv_b 512 -> 128*256 = 32768,
  // o 128*128 = 16384 -> 7168. Weights per layer: 11,010,048 + 37,748,736 + 4,128,768 + 16,777,216
  // + 117,440,512 = 187,105,280; prefill FLOPs = 2 * 512 * 187,105,280 = 191,595,806,720
  CHECK(find(pre, "q_b_proj", 0).n == 24576);
  CHECK(find(pre, "kv_b_proj", 0).n == 32768);
  CHECK(gemm_flops(pre, 0, {"q_a_proj", "q_b_proj", "kv_a_proj", "kv_b_proj", "o_proj"}) == Approx(191595806720.0));
  // prefill attention: 128 heads, qk 192, v 128: 2 * 128 * 131,328 * 320
  CHECK(find(pre, "attention", 0).flops == Approx(2.0 * 128 * 131328 * 320));
  // decode, batch 1: the absorbed GEMMs (128 x [1, 512, 128] and 128 x [1, 128, 512]) replace kv_b_proj:
  // the same 187,105,280 weights, 2 FLOPs each
  auto dec = build_forward(m, ForwardConfig{}, ForwardShape{false, 1, 1, 1000});
  CHECK(find(dec, "q_absorb_uk", 0).groups == 128);
  CHECK(find(dec, "q_absorb_uk", 0).flops == Approx(2.0 * 512 * 128 * 128));
  CHECK(gemm_flops(dec, 0, {"q_a_proj", "q_b_proj", "kv_a_proj", "q_absorb_uk", "out_absorb_uv", "o_proj"}) ==
        Approx(2 * 187105280.0));
  // fp8 latent cache, batch 4 at context 1000: 4 * 1000 * 576 * 1 B + q/o 4 * 128 * 1088 * 2 B
  ForwardConfig c8;
  c8.kv_cache = Precision::fp8;
  auto d8 = build_forward(m, c8, ForwardShape{false, 4, 1, 1000});
  const Op& a = find(d8, "attention_latent", 10);
  CHECK(a.bytes == Approx(2304000.0 + 1114112.0));
  CHECK(a.flops == Approx(2.0 * 4 * 128 * 1000 * 1088));
  // per token per layer: (r + dr) * 1 B = 576; 61 layers = 35,136 (params.cpp, the card's 70,272 in bf16 / 2)
  CHECK(kv_bytes_per_token(m, Precision::fp8) == Approx(61 * 576));
}

TEST_CASE("MoE layers by hand: router, routed experts, shared experts, dense first layers", "[moe]") {
  SECTION("V2-Lite prefill, 512 tokens") {
    ModelCard m = model("deepseek-v2-lite");
    auto ops = build_forward(m, ForwardConfig{}, ForwardShape{true, 1, 512, 512});
    // layer 0 is dense: gate_up N = 2*10944, down K = 10944; no router there
    CHECK(find(ops, "gate_up", 0).n == 2 * 10944);
    CHECK(find(ops, "down", 0).k == 10944);
    CHECK(std::count_if(ops.begin(), ops.end(), [](const Op& o) { return o.name == "router"; }) == 26);
    // router: [512, 64, 2048] in the activation precision
    const Op& r = find(ops, "router", 1);
    CHECK(r.n == 64);
    CHECK(r.weight == Precision::bf16);
    CHECK(r.flops == Approx(2.0 * 512 * 64 * 2048));
    // 512 tokens x top-6 over 64 experts: E(1 - (1 - 6/64)^512) = 64 (1 - 1e-22): all hit,
    // 512*6/64 = 48 rows each
    const Op& up = find(ops, "experts_gate_up", 1);
    CHECK(up.groups == 64);
    CHECK(up.m == Approx(48));
    CHECK(up.n == 2 * 1408);
    CHECK(up.k == 2048);
    CHECK(up.flops == Approx(2.0 * 48 * 2816 * 2048 * 64));  // = 2 * 512 * 6 * 2816 * 2048
    const Op& down = find(ops, "experts_down", 1);
    CHECK(down.n == 2048);
    CHECK(down.k == 1408);
    // 2 shared experts as one dense MLP of width 2*1408 = 2816
    CHECK(find(ops, "shared_gate_up", 1).n == 2 * 2816);
    CHECK(find(ops, "shared_down", 1).k == 2816);
    CHECK(find(ops, "shared_down", 1).flops == Approx(2.0 * 512 * 2048 * 2816));
  }
  SECTION("V3 decode, batch 1 and batch 64") {
    ModelCard m = model("deepseek-v3");
    auto one = build_forward(m, ForwardConfig{}, ForwardShape{false, 1, 1, 100});
    for (int l : {0, 1, 2}) CHECK(find(one, "gate_up", l).n == 2 * 18432);  // first 3 layers dense
    CHECK(std::count_if(one.begin(), one.end(), [](const Op& o) { return o.name == "router"; }) == 58);
    CHECK(find(one, "router", 3).n == 256);
    // one token: its 8 experts are distinct, one row each
    const Op& up = find(one, "experts_gate_up", 3);
    CHECK(up.groups == 8);
    CHECK(up.m == Approx(1));
    CHECK(find(one, "shared_gate_up", 3).n == 2 * 2048);
    // 64 tokens: 256 (1 - (1 - 8/256)^64) = 222.44 experts hit -> 222 groups of 512/222.44 = 2.3017 rows
    auto b64 = build_forward(m, ForwardConfig{}, ForwardShape{false, 64, 1, 100});
    const Op& u64 = find(b64, "experts_gate_up", 3);
    CHECK(u64.groups == 222);
    CHECK(u64.m == Approx(2.301718549));
    CHECK(u64.m * 222.4424876855 == Approx(64 * 8));  // every assignment is computed once
  }
}

TEST_CASE("weights read by one decode step at batch 1 vs the active parameter count", "[mla][moe]") {
  // One decode step at batch 1 reads each GEMM's K x N weights once (groups x K x N for the 6 or 8
  // routed experts the token picked, the 2x 16*512*128 absorbed MLA GEMMs for kv_b_proj).
  // count_params' active count (without the input embedding, as the V2/V3 papers count) has more:
  //  - the norms: 2 h per layer + the final h (element-wise kernels, not GEMMs),
  //  - the MLA LoRA norms: kv_a_norm r per layer, q_a_norm q_lora_rank per layer (V3 only).
  // The embedding table is read by a gather (T rows, not the table) and is not in the active count.
  SECTION("deepseek-v2-lite") {
    ModelCard m = model("deepseek-v2-lite");
    auto ops = build_forward(m, ForwardConfig{}, ForwardShape{false, 1, 1, 100});
    // per layer MLA: 2048*3072 + 2048*576 + 2*16*512*128 + 2048*2048 = 13,762,560 (x 27)
    // layer 0 dense: 3 * 2048 * 10944 = 67,239,936
    // 26 MoE layers: router 2048*64 + 6 experts 6*3*2048*1408 + shared 3*2048*2816 = 69,337,088
    // lm_head 2048 * 102400 = 209,715,200
    const double gemm = 27 * 13762560.0 + 67239936.0 + 26 * 69337088.0 + 209715200.0;  // 2,451,308,544
    CHECK(weight_elements(ops) == Approx(gemm));
    const ParamCounts c = count_params(m);
    // active 2,451,435,008 (card: 2.451 B) = GEMM weights + norms (27*2*2048 + 2048) + kv_a_norm 27*512
    CHECK(c.active(false) == Approx(gemm + 27 * 2 * 2048 + 2048 + 27 * 512));
    CHECK(c.active(false) / 1e9 == Approx(m.ref_active_params_b).epsilon(1e-3));
    // bf16: 2 B for every weight element, the router included
    double bytes = 0;
    for (const Op& o : ops)
      if (o.kind == OpKind::gemm) bytes += o.groups * o.k * o.n * bytes_per_element(o.weight);
    CHECK(bytes == Approx(2 * gemm));
    // fp8 weights: 1 B each, except the router (26 * 2048 * 64) and the LM head (2048 * 102400), which
    // stay in the activations' bf16
    ForwardConfig f8;
    f8.weights = Precision::fp8;
    double b8 = 0;
    for (const Op& o : build_forward(m, f8, ForwardShape{false, 1, 1, 100}))
      if (o.kind == OpKind::gemm) b8 += o.groups * o.k * o.n * bytes_per_element(o.weight);
    CHECK(b8 == Approx(gemm + 26 * 2048 * 64.0 + 209715200.0));
  }
  SECTION("deepseek-v3") {
    ModelCard m = model("deepseek-v3");
    auto ops = build_forward(m, ForwardConfig{}, ForwardShape{false, 1, 1, 100});
    // per layer MLA 187,105,280 (x 61); 3 dense layers 3*7168*18432 = 396,361,728 each;
    // 58 MoE layers: router 7168*256 = 1,835,008 + 8 experts 8*3*7168*2048 = 352,321,536
    // + shared 3*7168*2048 = 44,040,192 -> 398,196,736; lm_head 7168 * 129280 = 926,679,040
    const double gemm = 61 * 187105280.0 + 3 * 396361728.0 + 58 * 398196736.0 + 926679040.0;  // 36,624,596,992
    CHECK(weight_elements(ops) == Approx(gemm));
    // active 36,625,603,584 (card: 36.626 B) = GEMM weights + norms 61*2*7168 + 7168 + (1536 + 512) * 61
    const ParamCounts c = count_params(m);
    CHECK(c.active(false) == Approx(gemm + 61 * 2 * 7168 + 7168 + 61 * 2048.0));
    CHECK(c.active(false) / 1e9 == Approx(m.ref_active_params_b).epsilon(1e-3));
  }
}

TEST_CASE("the serving cost of an MLA prefill chunk expands every attended position's latent", "[mla][serving]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  ModelCard m = cat.model("deepseek-v2-lite");
  KernelCostModel k = KernelCostModel(cat.gpu("h200-sxm"), load_gpu_profile(cat.gpu("h200-sxm"), cat));
  IterationCostModel ic(m, ForwardConfig{}, k, cat.runtime("pytorch"), false, CommLinks{});
  IterationShape first, later;
  first.prefill.push_back({256, 256, false});
  later.prefill.push_back({256, 768, false});
  // the later chunk re-expands the 512 earlier positions in each of the 27 layers (kv_b_proj, N 4096, K 512)
  const double expand = 27 * k.gemm_time(512, 4096, 512, 1, Precision::bf16, Precision::bf16);
  CHECK(ic.evaluate(later).gpu_s - ic.evaluate(first).gpu_s > expand);
}
