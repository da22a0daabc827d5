#include <catch2/catch.hpp>

#include "comm/collectives.hpp"
#include "config/catalog.hpp"
#include "timing/iteration_cost.hpp"
#include "kernel_sim/sim_iteration.hpp"
#include "profile/gpu_profile.hpp"
#include "run/resolve.hpp"
#include "timing/kernel_cost.hpp"
#include "kernel_sim/iteration_sim.hpp"
#include "model/operators.hpp"
#include "run/fixed_batch.hpp"

using namespace dssim;

// One SimGrid engine per process: every TEST_CASE here runs one simulation.
namespace {
SimSetup nvswitch_setup(int gpus) {
  SimSetup s;
  s.node.id = "oracle";
  s.node.gpu_count = gpus;
  s.node.interconnect = "nvswitch";
  s.node.nvlink_latency_s = 1e-6;
  s.node.pcie_latency_s = 1e-6;
  s.gpu.memory_bw_Bps = 1e12;
  s.gpu.pcie_Bps_per_direction = 10e9;
  s.gpu.nvlink_Bps_per_direction = 100e9;
  return s;
}
// `ranks` ranks of a MoE with one expert a rank and one expert a token, over `ranks_per_node` a node.
MoeSpec one_expert_a_rank(SimSetup& s, int ranks, int ranks_per_node) {
  MoeSpec m;
  m.n_routed_experts = ranks;
  m.num_experts_per_tok = 1;
  s.ranks = ranks;
  s.ep_touch = ep_touch(m, ranks, ranks_per_node);
  s.moe_topk = 1;
  return m;
}
SimIteration kernels(int n, double gpu_s, double stream_bytes = 0) {
  SimIteration it;
  for (int i = 0; i < n; ++i) it.kernels.push_back(SimKernel{OpKind::elementwise, gpu_s, 0, 0, stream_bytes});
  return it;
}
}  // namespace

TEST_CASE("pipeline: micro-batches fill and drain the stages, a decode step is one trip", "[parallel][engine][oracle]") {
  SimSetup s = nvswitch_setup(2);
  s.ranks = 1;
  s.pp = 2;
  SimIteration first = kernels(1, 1e-3);
  first.kernels.push_back(SimKernel{OpKind::p2p, 0, 0, 1e6});  // to stage 1: 2 NVLink hops + 1 MB at 100 GB/s
  SimIteration second = kernels(1, 1e-3);
  const double hop = 2e-6 + 1e6 / 100e9;
  std::vector<SimStep> steps{SimStep{{first, second}, 3}, SimStep{{first, second}, 1}};
  auto r = simulate_steps(s, steps);
  // (micro-batches + stages - 1) stage times; stage 0's stream sends each micro-batch before it starts
  // the next (a send is a kernel on the stream, as NCCL's is), so the last leaves after three hand-offs
  CHECK(r[0].duration() == Approx(4e-3 + 3 * hop).epsilon(1e-9));
  CHECK(r[1].duration() == Approx(2e-3 + hop).epsilon(1e-9));
  CHECK(r[1].start_s >= r[0].end_s);
}

TEST_CASE("offloaded weights stream two layers ahead: copy-bound and compute-bound", "[parallel][engine][oracle][offload]") {
  SimSetup s = nvswitch_setup(1);
  // 4 layers of 1 ms; copy-bound: 2 ms + 1 us of PCIe per layer, the last layer computes after its copy
  // compute-bound: 0.5 ms + 1 us per layer; layer 3's copy waits for layer 1 to free its buffer
  std::vector<SimIteration> its{kernels(4, 1e-3, 2e7), kernels(4, 1e-3, 5e6)};
  auto r = simulate_iterations(s, its);
  CHECK(r[0].duration() == Approx(4 * (2e-3 + 1e-6) + 1e-3).epsilon(1e-9));
  CHECK(r[1].duration() == Approx((0.5e-3 + 1e-6) + 4e-3).epsilon(1e-9));
}

TEST_CASE("two tensor-parallel groups of one stage all-reduce at once on disjoint NVLink ports", "[parallel][engine][oracle][comm]") {
  SimSetup s = nvswitch_setup(4);
  s.ranks = 4;
  s.tp = 2;
  s.collective_step_s = 0.5e-6;
  SimIteration it;
  it.kernels.push_back(SimKernel{OpKind::allreduce, 0, 0, 1e8});
  SimIteration a2a;  // the whole stage: 4 ranks, each 4e7 bytes split evenly (1e7 to every rank)
  a2a.kernels.push_back(SimKernel{OpKind::alltoall, 0, 0, 4e7});
  auto r = simulate_iterations(s, {it, a2a});
  const double alpha = 2e-6 + 0.5e-6;  // two NVLink hops + the software step
  CHECK(r[0].duration() == Approx(comm::ring_allreduce_time(2, 1e8, 100e9, alpha)).epsilon(1e-9));
  CHECK(r[1].duration() == Approx(comm::all_to_all_time(4, 1e7, 100e9, alpha)).epsilon(1e-9));
}

TEST_CASE("the closed-form iteration cost agrees with the kernel-level engine for DeepSeek-V3 on 8 GPUs, TP 8 + EP 8",
          "[parallel][engine][oracle][serving]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  ModelCard m = cat.model("deepseek-v3");
  NodeSpec node = cat.node("hgx-8xh200");
  GpuCard g = cat.gpu(node.gpu);
  RuntimeProfile rt = cat.runtime("pytorch");
  KernelCostModel k = KernelCostModel(g, load_gpu_profile(g, cat));
  ForwardConfig fc;
  fc.weights = Precision::fp8;
  fc.layout.tp = 8;
  fc.layout.ep = 8;
  CommLinks links;
  links.tp = links.stage = group_link(node, g, {0, 1, 2, 3, 4, 5, 6, 7});
  links.step_s = rt.collective_step_s;
  links.bandwidth_efficiency = rt.collective_bandwidth_efficiency;
  IterationCostModel ic(m, fc, k, rt, true, links);
  auto sim_of = [&](const ForwardShape& sh, bool graph) {
    return sim_iteration(build_forward(m, fc, sh), k, rt, sh.batch, sh.new_tokens, graph);
  };
  SimSetup setup;
  setup.node = node;
  setup.gpu = g;
  setup.ranks = 8;
  setup.collective_step_s = rt.collective_step_s;
  auto res = simulate_iterations(setup, {sim_of({true, 1, 2048, 2048}, false), sim_of({false, 64, 1, 2049}, true)});
  IterationShape pre;
  pre.prefill.push_back({2048, 2048, true});
  IterationShape dec;
  dec.decode = 64;
  dec.decode_context_sum = 64 * 2049;
  CHECK(ic.time(pre) == Approx(res[0].duration()).epsilon(0.03));
  CHECK(ic.time(dec) == Approx(res[1].duration()).epsilon(0.03));
  CHECK(res[1].comm_s > 0);
}

namespace {
// The kernel-level prediction (predict(): every GPU simulated) and the serving closed form for the same
// layout, batch and context: decode step and prefill.
void check_layout_oracle(const std::string& model, int tp, int ep, int pp, bool overlap = false, bool deepep = false,
                         int nodes = 1, double prefill_tolerance = 0) {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  PredictInput in;
  in.model = cat.model(model);
  in.node = cat.node("hgx-8xh200");
  in.node.node_count = nodes;
  in.gpu = cat.gpu(in.node.gpu);
  in.runtime = cat.runtime("pytorch");
  in.weights = Precision::fp8;
  in.parallel.deepep = deepep;
  in.batch = 32;
  in.prompt = 1024;
  in.output = 2;
  in.context = 1024;
  in.parallel.tp = tp;
  in.parallel.ep = ep;
  in.parallel.pp = pp;
  in.parallel.two_batch_overlap = overlap;
  read_hardware_data(in, cat);
  Prediction p = predict(in, nullptr);  // both sides at the calibrated clock
  REQUIRE(p.fits);

  const KernelCostModel k = model_kernel_costs(in);
  const ForwardConfig fc = forward_config(in, Precision::bf16);
  const CommLinks links = make_comm_links(in.node, in.gpu, in.parallel, in.runtime, comm::AllReduceAlgo::automatic, ep_receive_shares(in.model, in.parallel));
  IterationCostModel ic(in.model, fc, k, in.runtime, true, links, pp > 1 ? in.parallel.micro() : 1);
  IterationShape dec;
  dec.decode = 32;
  dec.decode_context_sum = 32.0 * 1025;
  CHECK(ic.time(dec) == Approx(p.decode_step_s).epsilon(0.05));
  if (pp == 1) {  // a pipeline's one-shot prefill fills and drains it; the serving model is its steady state
    IterationShape pre;
    for (int i = 0; i < 32; ++i) pre.prefill.push_back({1024, 1024, true});
    // with two-batch overlap the closed form serialises the lanes' transfers, which the engine lets
    // share the links: a few per cent faster
    CHECK(ic.time(pre) == Approx(p.prefill_s).epsilon(prefill_tolerance > 0 ? prefill_tolerance : overlap ? 0.06 : 0.05));
  }
}
}  // namespace

TEST_CASE("closed form vs kernel level: V3 with data-parallel attention (TP 4 x EP 8)", "[parallel][engine][oracle][serving]") {
  check_layout_oracle("deepseek-v3", 4, 8, 1);
}

TEST_CASE("closed form vs kernel level: V2 in a 4-stage pipeline of TP 2", "[parallel][engine][oracle][serving]") {
  check_layout_oracle("deepseek-v2", 2, 1, 4);
}

TEST_CASE("closed form vs kernel level: V3 TP 8 x EP 8 with two-batch overlap", "[parallel][engine][oracle][serving]") {
  check_layout_oracle("deepseek-v3", 8, 8, 1, true);
}

TEST_CASE("closed form vs kernel level: V3 EP 8 by DeepEP with two-batch overlap (SMs held)", "[parallel][engine][oracle][serving]") {
  check_layout_oracle("deepseek-v3", 1, 8, 1, true, true);
}

TEST_CASE("closed form vs kernel level: V3 EP 16 over two nodes by DeepEP, forwarded over NVLink", "[parallel][engine][oracle][serving]") {
  check_layout_oracle("deepseek-v3", 1, 16, 1, false, true, 2);
}

TEST_CASE("DeepEP's normal dispatch by hand: once per remote node over the NIC, forwarded over NVLink", "[parallel][engine][oracle][comm]") {
  // 2 nodes x 2 GPUs, 4 experts (one a rank), one expert a token: a token reaches its node's other rank
  // with 1/4, the other node with 1/2 (to the rank with its local index), forwarded on with 1/4.
  SimSetup s = nvswitch_setup(2);
  s.node.node_count = 2;
  s.node.nic_Bps = 10e9;
  s.node.nic_latency_s = 5e-6;
  s.node.nics = "per_gpu";
  const MoeSpec m = one_expert_a_rank(s, 4, 2);
  SimIteration it;
  SimKernel a2a{OpKind::alltoall, 0, 0, 1e6};
  a2a.node_forward = true;
  it.kernels.push_back(a2a);
  const auto r = simulate_iterations(s, {it});
  // each GPU's NIC carries 0.5 MB out and 0.5 MB in (10 GB/s: 50 us); each NVLink port 0.25 MB of
  // its own and 0.25 MB relayed (100 GB/s: 5 us); all at once, so the NIC sets it
  CHECK(r[0].duration() == Approx(2 * 5e-6 + 0.5e6 / 10e9).epsilon(1e-6));
  // the closed form prices the same op the same way
  CommLinks links;
  links.nic_Bps = s.node.nic_Bps;
  links.nic_latency_s = s.node.nic_latency_s;
  links.gpus_per_node = 2;
  links.intra = group_link(s.node, s.gpu, {0, 1});
  ModelCard card;
  card.id = "toy";
  card.hidden_size = 1000;
  card.num_hidden_layers = 1;
  card.num_attention_heads = card.num_key_value_heads = 1;
  card.head_dim = 1000;
  card.intermediate_size = 1000;
  card.vocab_size = 10;
  card.moe = m;
  card.moe->moe_intermediate_size = 100;
  ForwardConfig fc;
  fc.layout.ep = 4;
  fc.layout.deepep = true;
  Catalog cat(DSSIM_TEST_DATA_DIR);
  const GpuCard g = cat.gpu("h200-sxm");
  IterationCostModel ic(card, fc, KernelCostModel(g, load_gpu_profile(g, cat)), cat.runtime("pytorch"), false, links);
  Op op;
  op.kind = OpKind::alltoall;
  op.bytes = 1e6;
  op.node_forward = true;
  CHECK(ic.comm_time(op) == Approx(2 * 5e-6 + 0.5e6 / 10e9).epsilon(1e-9));
}

TEST_CASE("DeepEP's normal kernels hold their SMs: the other lane's kernels run on the rest meanwhile", "[parallel][engine][oracle][comm]") {
  // Two ranks on one node, two lanes (two-batch overlap): 1 ms of compute, a 1 ms all-to-all, 1 ms of
  // compute. Two experts, one a token: a token reaches the other rank with 1/2, so the forwarded
  // dispatch moves the same bytes as the per-copy one; only the held SMs (half the GPU) differ.
  SimSetup s = nvswitch_setup(2);
  s.lanes = 2;
  one_expert_a_rank(s, 2, 2);
  s.deepep_sms = 50;
  s.sm_count = 100;
  auto iteration = [](bool forward) {
    SimIteration it = kernels(1, 1e-3);
    SimKernel a2a{OpKind::alltoall, 0, 0, 2e8};  // 1e8 bytes each way at 100 GB/s: 1 ms
    a2a.node_forward = forward;
    it.kernels.push_back(a2a);
    it.kernels.push_back(SimKernel{OpKind::elementwise, 1e-3, 0, 0, 0});
    return it;
  };
  const auto r = simulate_steps(s, {SimStep{{iteration(true)}, 2}, SimStep{{iteration(false)}, 2}});
  // Per copy: lane 0 computes [0, 1], communicates [1, 2.002] (two 1 us hops) while lane 1 computes
  // [1, 2]; lane 1 communicates [2, 3.002] while lane 0 computes [2.002, 3.002]; lane 1 computes [3.002, 4.002].
  CHECK(r[1].duration() == Approx(4e-3 + 2e-6).epsilon(1e-4));
  // Held SMs: lane 1's first kernel does half its work while lane 0's dispatch holds half the GPU
  // (0.501 ms of work by 2.002), the rest at full speed: ends 2.501. Lane 0's second kernel waits for
  // the GPU until then and runs beside lane 1's dispatch [2.501, 3.503] the same way: ends 4.002. Lane 1's
  // second kernel: [4.002, 5.002].
  CHECK(r[0].duration() == Approx(5e-3 + 2e-6).epsilon(1e-4));
}
