#include <catch2/catch.hpp>

#include <algorithm>

#include "config/catalog.hpp"
#include "memory/memory_model.hpp"
#include "model/operators.hpp"
#include "model/params.hpp"
#include "hw/platform.hpp"
#include "parallel/layout.hpp"
#include "util/error.hpp"

using namespace dssim;

namespace {
ModelCard model(const std::string& id) { return Catalog(DSSIM_TEST_DATA_DIR).model(id); }
ParallelLayout layout(int tp, int pp = 1, int ep = 1) {
  ParallelLayout l;
  l.tp = tp;
  l.pp = pp;
  l.ep = ep;
  return l;
}
long count(const std::vector<Op>& ops, OpKind k) {
  return std::count_if(ops.begin(), ops.end(), [k](const Op& o) { return o.kind == k; });
}
const Op* named(const std::vector<Op>& ops, const std::string& name) {
  auto it = std::find_if(ops.begin(), ops.end(), [&](const Op& o) { return o.name == name; });
  return it == ops.end() ? nullptr : &*it;
}
std::string layout_error(const std::string& id, const ParallelLayout& l, int replicas, int gpus) {
  try {
    validate_layout(model(id), l, replicas, gpus);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("pipeline stages split the layers evenly, the larger stages first", "[parallel]") {
  CHECK(stage_layers(61, 2, 0) == std::make_pair(0, 31));
  CHECK(stage_layers(61, 2, 1) == std::make_pair(31, 61));
  // 95 = 4 x 23 + 3: the first three stages take 24
  CHECK(stage_layers(95, 4, 0) == std::make_pair(0, 24));
  CHECK(stage_layers(95, 4, 2) == std::make_pair(48, 72));
  CHECK(stage_layers(95, 4, 3) == std::make_pair(72, 95));
  CHECK(max_stage_layers(95, 4) == 24);
  CHECK(max_stage_layers(61, 1) == 61);
}

TEST_CASE("layout geometry: stage width, data-parallel attention, GPUs", "[parallel]") {
  ParallelLayout l = layout(8, 2, 16);
  CHECK(l.stage_width() == 16);
  CHECK(l.attention_dp() == 2);
  CHECK(l.gpus() == 32);
  CHECK(l.micro() == 2);  // one micro-batch per stage unless set
  l.microbatches = 6;
  CHECK(l.micro() == 6);
  CHECK(layout(4).attention_dp() == 1);
}

TEST_CASE("weights per GPU: one GPU holds exactly the model's weight bytes", "[parallel][memory]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  for (const auto& id : cat.model_ids())
    for (Precision p : {Precision::bf16, Precision::fp8, Precision::int4}) {
      ModelCard m = cat.model(id);
      INFO(id << " " << to_string(p));
      CHECK(weight_bytes_per_gpu(m, p, layout(1)) == Approx(weight_bytes(m, p)).epsilon(1e-12));
    }
}

TEST_CASE("weights per GPU by hand: tensor, expert and pipeline parallel", "[parallel][memory]") {
  SECTION("67B bf16, TP 4: every linear layer split four ways, the norms kept whole") {
    ModelCard m = model("deepseek-llm-67b");
    ParamCounts c = count_params(m);
    const double linear = c.attention + c.dense_mlp + c.embedding + c.lm_head;
    CHECK(weight_bytes_per_gpu(m, Precision::bf16, layout(4)) == Approx(linear / 4 * 2 + c.norms * 2));
  }
  SECTION("V3 fp8, TP 8 x EP 16: routed experts over 16 GPUs, the rest over the 8 of a TP group") {
    ModelCard m = model("deepseek-v3");
    ParamCounts c = count_params(m);
    const double router = 58.0 * 7168 * 256;  // 58 MoE layers' gates, 16-bit
    // fp8 decoder layers; the embedding and the LM head stay bf16 as in the released checkpoint
    const double tp_split = (c.attention + c.dense_mlp + c.moe_shared - router) / 8 + (c.embedding + c.lm_head) / 8 * 2;
    const double expected = tp_split + c.moe_routed / 16 * 1 + (router + c.norms) * 2;
    CHECK(weight_bytes_per_gpu(m, Precision::fp8, layout(8, 1, 16)) == Approx(expected));
    // EP over as many GPUs as TP: the same bytes as TP 8 (whole experts instead of slices)
    CHECK(weight_bytes_per_gpu(m, Precision::fp8, layout(8, 1, 8)) ==
          Approx(weight_bytes_per_gpu(m, Precision::fp8, layout(8))));
  }
  SECTION("V3 bf16, PP 2: the fuller stage is the second (30 MoE layers against 3 dense + 28 MoE)") {
    ModelCard m = model("deepseek-v3");
    const double h = 7168;
    const double attn = attention_params_per_layer(m), norms = 2 * h;
    const double dense = attn + norms + 3 * h * 18432;
    const double moe = attn + norms + (256 + 1) * 3 * h * 2048 + h * 256;
    const double vocab = 129280 * h;
    const double stage0 = (3 * dense + 28 * moe + vocab) * 2;
    const double stage1 = (30 * moe + vocab + h) * 2;
    CHECK(stage1 > stage0);
    CHECK(weight_bytes_per_gpu(m, Precision::bf16, layout(1, 2)) == Approx(stage1));
  }
}

TEST_CASE("memory per GPU follows the layout: stage layers and data-parallel attention", "[parallel][memory]") {
  ModelCard m = model("deepseek-v3");
  GpuCard g = Catalog(DSSIM_TEST_DATA_DIR).gpu("h100-sxm");
  MemoryRequest r;
  r.weights = Precision::fp8;
  r.batch = 64;
  r.prefill_tokens = 1;
  r.kv_tokens = 1000;
  r.layout = layout(8, 1, 16);  // two attention groups: 32 sequences each
  CHECK(memory_per_gpu(m, g, r).kv_cache == Approx(32 * 1000 * kv_bytes_per_token(m, Precision::bf16)));
  r.layout = layout(8, 2);  // 31 of 61 layers' latent cache on the fuller stage
  CHECK(memory_per_gpu(m, g, r).kv_cache == Approx(64 * 1000 * kv_bytes_per_token(m, Precision::bf16) * 31 / 61));
}

TEST_CASE("each parallelism's validation errors say why and what would work", "[parallel][errors]") {
  CHECK(layout_error("deepseek-v3", layout(8, 1, 8), 1, 8).empty());
  CHECK(layout_error("deepseek-v3", layout(8, 2, 16), 1, 32).empty());
  CHECK_THAT(layout_error("deepseek-v3", layout(3), 1, 8),
             Catch::Contains("does not divide deepseek-v3's 128 attention heads; valid tensor_parallel here: 1, 2, 4, 8"));
  CHECK_THAT(layout_error("deepseek-coder-33b", layout(3), 1, 4), Catch::Contains("attention heads"));
  // Qwen-1.5B: 12 heads, 2 KV heads, MLP 8960: TP 4 divides the heads and is a multiple of the KV heads
  CHECK(layout_error("deepseek-r1-distill-qwen-1.5b", layout(4), 1, 4).empty());
  CHECK_THAT(layout_error("deepseek-r1-distill-qwen-1.5b", layout(6), 1, 8), Catch::Contains("divide"));
  CHECK_THAT(layout_error("deepseek-llm-7b", layout(1, 1, 2), 1, 2),
             Catch::Contains("deepseek-llm-7b is a dense model, it has no experts"));
  CHECK_THAT(layout_error("deepseek-v3", layout(1, 1, 12), 1, 16),
             Catch::Contains("expert_parallel = 12 does not divide deepseek-v3's 256 routed experts; valid expert_parallel here: 2, 4, 8, 16"));
  CHECK_THAT(layout_error("deepseek-v3", layout(8, 1, 4), 1, 8), Catch::Contains("smaller than tensor_parallel"));
  CHECK(layout_error("deepseek-v2-lite", layout(4, 1, 16), 1, 16).empty());
  CHECK(layout_error("deepseek-moe-16b", layout(4, 1, 8), 1, 8).empty());
  CHECK_THAT(layout_error("deepseek-v3", layout(4, 1, 6), 1, 8), Catch::Contains("does not divide"));
  CHECK_THAT(layout_error("deepseek-v2-lite", layout(1, 30), 1, 30),
             Catch::Contains("pipeline_parallel = 30 exceeds deepseek-v2-lite's 27 layers"));
  CHECK_THAT(layout_error("deepseek-v3", layout(8, 2, 8), 2, 16),
             Catch::Contains("tensor_parallel = 8 x pipeline_parallel = 2 x data_parallel (replicas) = 2 needs 32 GPUs; the platform has 16"));
  CHECK_THAT(layout_error("deepseek-v3", layout(4, 1, 16), 1, 8),
             Catch::Contains("tensor_parallel = 4 x expert_parallel = 16 needs 16 GPUs; the platform has 8"));
}

TEST_CASE("a pipeline stage builds its own layers, hands its hidden states on, and only the last has the head",
          "[parallel][ops]") {
  ModelCard m = model("deepseek-v3");
  ForwardConfig c;
  c.layout.tp = 8;
  c.layout.pp = 2;
  c.stage = 0;
  auto s0 = build_forward(m, c, ForwardShape{true, 2, 100, 100});
  c.stage = 1;
  auto s1 = build_forward(m, c, ForwardShape{true, 2, 100, 100});
  CHECK(named(s0, "embedding") != nullptr);
  CHECK(named(s1, "embedding") == nullptr);
  CHECK(named(s0, "lm_head") == nullptr);
  CHECK(named(s1, "lm_head") != nullptr);
  CHECK(count(s0, OpKind::attention) == 31);
  CHECK(count(s1, OpKind::attention) == 30);
  REQUIRE(s0.back().kind == OpKind::p2p);
  CHECK(s0.back().bytes == Approx(200.0 * 7168 * 2 / 8));  // a 1/TP slice of 200 tokens' hidden states
  CHECK(count(s1, OpKind::p2p) == 0);
}

TEST_CASE("expert parallel: all-to-all dispatch and combine per MoE layer, whole experts, the gather after",
          "[parallel][ops][moe]") {
  ModelCard m = model("deepseek-v3");
  ForwardConfig c;
  c.layout.tp = 8;
  c.layout.ep = 8;
  auto ops = build_forward(m, c, ForwardShape{false, 64, 1, 1000});
  CHECK(count(ops, OpKind::alltoall) == 2 * 58);
  CHECK(count(ops, OpKind::allgather) == 58);
  CHECK(count(ops, OpKind::allreduce) == 61 + 3);  // attention everywhere, MLP in the 3 dense layers
  // each rank routes 64/8 = 8 tokens, 8 copies of 7168 bf16 values each
  CHECK(named(ops, "moe_dispatch_a2a")->bytes == Approx(8.0 * 8 * 7168 * 2));
  const Op* up = named(ops, "experts_gate_up");
  CHECK(up->n == 2 * 2048);  // whole experts
  // 64 tokens x 8 picks spread over 256 experts, 32 per rank: by symmetry 64 assignments per rank
  CHECK(up->m * up->groups == Approx(64.0).epsilon(0.02));
  CHECK(named(ops, "shared_gate_up")->m == 8);
  // DeepEP-style fp8 dispatch: one byte per value plus one fp32 scale per 128; the combine stays bf16
  ForwardConfig f8 = c;
  f8.layout.fp8_dispatch = true;
  auto ops8 = build_forward(m, f8, ForwardShape{false, 64, 1, 1000});
  CHECK(named(ops8, "moe_dispatch_a2a")->bytes == Approx(8.0 * 8 * 7168 * (1 + 4.0 / 128)));
  CHECK(named(ops8, "moe_combine_a2a")->bytes == Approx(8.0 * 8 * 7168 * 2));

  SECTION("data-parallel attention: TP 4 inside EP 16 gives each attention group a quarter of the sequences") {
    c.layout.tp = 4;
    c.layout.ep = 16;
    auto dp = build_forward(m, c, ForwardShape{false, 64, 1, 1000});
    const Op* attn = named(dp, "attention_latent");
    REQUIRE(attn != nullptr);
    CHECK(attn->batch == 16);
    CHECK(named(dp, "moe_dispatch_a2a")->bytes == Approx(4.0 * 8 * 7168 * 2));  // 16 tokens / TP 4
  }
}

TEST_CASE("routing skew concentrates tokens, placement decides which rank carries them", "[parallel][ops][moe]") {
  ModelCard m = model("deepseek-v3");
  ForwardConfig c;
  c.layout.tp = 8;
  c.layout.ep = 8;
  auto even = build_forward(m, c, ForwardShape{true, 1, 4096, 4096});
  c.layout.routing_skew = 1.0;
  auto skew = build_forward(m, c, ForwardShape{true, 1, 4096, 4096});
  c.layout.placement = ExpertPlacement::balanced;
  auto balanced = build_forward(m, c, ForwardShape{true, 1, 4096, 4096});
  auto tokens = [](const std::vector<Op>& ops) {
    const Op* up = named(ops, "experts_gate_up");
    return up->m * up->groups;
  };
  // 4096 tokens x 8 picks over 8 ranks: 4096 assignments on each rank when even
  CHECK(tokens(even) == Approx(4096.0).epsilon(0.01));
  CHECK(tokens(skew) > 2 * tokens(even));
  CHECK(tokens(balanced) < tokens(skew));
  CHECK(tokens(balanced) >= tokens(even));
}

TEST_CASE("weight offload moves the fewest whole layers, from the last, that make it fit", "[parallel][memory][offload]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  ModelCard m = cat.model("deepseek-llm-7b");
  GpuCard g = cat.gpu("rtx-4090");
  MemoryRequest r;
  r.weights = Precision::fp32;
  r.activations = Precision::fp32;
  r.batch = 1;
  r.prefill_tokens = 512;
  r.kv_tokens = 767;
  r.reserve_bytes = 0.5 * 1024 * 1024 * 1024;
  REQUIRE_FALSE(memory_per_gpu(m, g, r).fits());
  MemoryRequest moved = r;
  const int n = offload_weight_layers(m, g, moved);
  REQUIRE(n > 0);
  CHECK(memory_per_gpu(m, g, moved).fits());
  double last_n = 0, largest = 0;
  for (int l = m.num_hidden_layers - n; l < m.num_hidden_layers; ++l) {
    last_n += layer_weight_bytes_per_gpu(m, Precision::fp32, r.layout, l);
    largest = std::max(largest, layer_weight_bytes_per_gpu(m, Precision::fp32, r.layout, l));
  }
  CHECK(moved.offloaded_weight_bytes == Approx(last_n));
  CHECK(moved.staging_bytes == Approx(2 * largest));  // two layer buffers
  // one layer fewer does not fit
  MemoryRequest fewer = r;
  fewer.offloaded_weight_bytes = last_n - largest;
  fewer.staging_bytes = 2 * largest;
  CHECK_FALSE(memory_per_gpu(m, g, fewer).fits());
}

TEST_CASE("node files state their host memory per node", "[parallel][config]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  CHECK(cat.node("dgx-8xh100-sxm").host_memory_bytes == Approx(2048.0 * 1024 * 1024 * 1024));
  CHECK(cat.node("g5-12xlarge-4xa10g").host_memory_bytes == Approx(192.0 * 1024 * 1024 * 1024));
}

TEST_CASE("replicas that would share a per-node NIC or a PCIe switch uplink are named", "[parallel][comm]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  NodeSpec p4de = cat.node("p4de-8xa100-80g");  // one 400 Gb/s NIC per node, NVSwitch inside
  GpuCard a100 = cat.gpu(p4de.gpu);
  p4de.node_count = 3;
  // 12-GPU replicas: replica 0 on nodes 0-1, replica 1 on nodes 1-2; both cross node 1's NIC
  CHECK(shared_replica_link(p4de, a100, 12, 2) == "node 1's NIC");
  CHECK(shared_replica_link(p4de, a100, 8, 3).empty());   // one replica per node: no network at all
  CHECK(shared_replica_link(p4de, a100, 16, 1).empty());  // one replica: nothing to share with
  NodeSpec dgx = cat.node("dgx-8xh100-sxm");             // a NIC per GPU: private to its replica
  dgx.node_count = 3;
  CHECK(shared_replica_link(dgx, cat.gpu(dgx.gpu), 12, 2).empty());
  // PCIe node, 4 switches x 3 GPUs: 3-GPU replicas stay under their switch; 4-GPU ones straddle two,
  // replica 0 switches 0-1 and replica 1 switches 1-2, and switch 1's uplink carries both
  NodeSpec pcie = implicit_node(cat.gpu("a10g"), 12);
  pcie.pcie_switches = 4;
  pcie.pcie_switch_uplink_Bps = 32e9;
  CHECK(shared_replica_link(pcie, cat.gpu("a10g"), 3, 4).empty());
  CHECK(shared_replica_link(pcie, cat.gpu("a10g"), 4, 2) == "PCIe switch 1's uplink on node 0");
  // 6-GPU replicas: replica 0 on switches 0-1, replica 1 on 2-3: each uplink carries one replica
  CHECK(shared_replica_link(pcie, cat.gpu("a10g"), 6, 2).empty());
}

TEST_CASE("EPLB's redundant experts cost one expert's weights per copy per GPU, and must fill the ranks", "[parallel][memory][eplb]") {
  const ModelCard v3 = model("deepseek-v3");
  ParallelLayout l = layout(8, 1, 8);
  const int moe_layer = v3.num_hidden_layers - 1;
  const double plain = layer_weight_bytes_per_gpu(v3, Precision::fp8, l, moe_layer);
  l.redundant_experts = 8;  // one more expert on each of the 8 ranks
  const double with = layer_weight_bytes_per_gpu(v3, Precision::fp8, l, moe_layer);
  const double expert_params = 3.0 * 7168 * 2048;
  CHECK(with - plain == Approx(expert_params * bytes_per_element(Precision::fp8)).epsilon(0.02));  // fp8 + block scales
  l.redundant_experts = 5;
  CHECK_THAT(layout_error("deepseek-v3", l, 1, 8),
             Catch::Contains("redundant_experts = 5: deepseek-v3's 256 routed experts and the copies must fill the 8 "
                             "expert-parallel ranks evenly; use a multiple of 8"));
}

TEST_CASE("EPLB's copies count as experts to spread: DeepSeek's decode EP144 holds 256 + 32 experts, 2 a GPU", "[parallel][eplb]") {
  ParallelLayout l = layout(1, 1, 144);
  CHECK_THAT(layout_error("deepseek-v3", l, 1, 144), Catch::Contains("expert_parallel = 144 does not divide deepseek-v3's 256"));
  l.redundant_experts = 32;
  CHECK(layout_error("deepseek-v3", l, 1, 144).empty());
  l.redundant_experts = 16;  // 272 over 144 ranks: uneven
  CHECK_THAT(layout_error("deepseek-v3", l, 1, 144), Catch::Contains("must fill the 144 expert-parallel ranks evenly"));
}
