#include <catch2/catch.hpp>

#include "config/catalog.hpp"
#include "sweep/recommend.hpp"

using namespace dssim;

namespace {
Outcome ok(double onprem, double hardware, double ttft_p99) {
  Outcome o;
  o.status = Outcome::Status::ok;
  o.keeps_up = o.meets_slo = true;
  o.usd_per_m_onprem = onprem;
  o.hardware_usd = hardware;
  o.ttft_p99_s = ttft_p99;
  o.power_w = 500;
  return o;
}
// A qualifying outcome of model deepseek-ai/X, as the launch commands read it.
Outcome launchable(const std::string& weights, int max_batch) {
  Outcome o = ok(0.3, 1, 1);
  o.hf_repo = "deepseek-ai/X";
  o.weights = weights;
  o.max_batch = max_batch;
  return o;
}
}  // namespace

TEST_CASE("candidates: every GPU, count and TP with TP dividing the count, replicas fill the rest", "[recommend]") {
  RecommendSpec s;
  s.gpus = {"a", "b"};
  s.counts = {1, 2, 4};
  s.tensor_parallel = {1, 2, 4};
  s.weights = {"bf16", "fp8"};
  const auto c = candidates(s);
  // (1,1) (2,1) (2,2) (4,1) (4,2) (4,4): 6 layouts x 2 GPUs x 2 precisions
  REQUIRE(c.size() == 24);
  CHECK(c[0].label() == "1 x a, TP 1 x 1 replica, bf16");
  CHECK(c[5].label() == "2 x a, TP 2 x 1 replica, fp8");
  CHECK(c[6].replicas() == 4);
  CHECK(c[6].overrides() == std::vector<std::string>{"platform.gpu=\"a\"", "platform.count=4", "serving.tensor_parallel=1",
                                                     "serving.replicas=4", "model.weights=\"bf16\""});
}

TEST_CASE("pruning by closed forms: weights larger than the GPU, a TP the heads do not divide", "[recommend]") {
  const Catalog cat = Catalog::from_environment();
  const ModelCard m = cat.model("deepseek-coder-33b");  // 33.3 B parameters: 62 GiB in bf16
  const GpuCard l40s = cat.gpu("l40s"), h200 = cat.gpu("h200-sxm");
  Candidate c{"l40s", "bf16", 1, 1, 0};
  CHECK(prune(c, m, l40s, "bf16").rfind("does not fit: bf16 weights need 62.", 0) == 0);
  c.tp = 2;
  c.gpus = 2;
  CHECK(prune(c, m, l40s, "bf16").empty());  // 31 GiB per GPU
  c = {"h200-sxm", "", 1, 1, 0};
  CHECK(prune(c, m, h200, "bf16").empty());
  c = {"h200-sxm", "", 3, 3, 0};
  CHECK(prune(c, m, h200, "bf16") == "tensor parallel 3 does not divide deepseek-coder-33b's attention heads");
}

TEST_CASE("ranking: qualifying candidates by $/M, unknown prices last, constraints and verdicts exclude", "[recommend]") {
  RecommendSpec s;
  s.budget_usd = 100000;
  std::vector<Outcome> o{ok(0.5, 60000, 1.0), ok(0.3, 30000, 2.0), ok(NAN, 10000, 0.5), ok(0.1, 200000, 0.2), ok(0.2, 30000, 3.0)};
  o[4].meets_slo = false;
  o[4].verdict = "MISSES SLO: ttft_p99_s 3.00 s > 2.00 s target (+50 %)";
  CHECK(ranked(s, o) == std::vector<std::size_t>{1, 0, 2});
  CHECK(failure(s, o[3]) == "over the budget: $200,000 of hardware, $100,000 allowed");
  CHECK(failure(s, o[4]).rfind("MISSES SLO", 0) == 0);
  // Pareto on ($/M, TTFT p99) among those that keep up, whatever their SLOs: 3 ($0.1, 0.2 s) beats all
  // but the unknown-priced one, which is left out.
  CHECK(pareto(s, o) == std::vector<std::size_t>{3});
  s.rank_by = "cloud";
  o[0].usd_per_m_cloud = 2;
  o[1].usd_per_m_cloud = 1;
  CHECK(ranked(s, o).front() == 1);
}

TEST_CASE("launch commands carry the layout, the batch and the precision", "[recommend]") {
  const Candidate c{"h200-sxm", "fp8", 4, 2, 128};
  Outcome o = launchable("fp8", 128);
  o.iteration_tokens = 8192;
  CHECK(vllm_command(c, o) ==
        "vllm serve deepseek-ai/X --tensor-parallel-size 2 --data-parallel-size 2 --max-num-seqs 128 --max-num-batched-tokens 8192 --quantization fp8");
  CHECK(sglang_command(c, o) ==
        "python -m sglang.launch_server --model-path deepseek-ai/X --tp 2 --dp 2 --max-running-requests 128 --chunked-prefill-size 8192 --quantization fp8");
}

TEST_CASE("launch commands say --dtype half where the run priced fp16 activations", "[recommend]") {
  // a T4 has no bf16 tensor cores: vLLM refuses a bf16 checkpoint there and asks for --dtype=half
  const Candidate c{"t4", "int4", 1, 1, 0};
  Outcome o = launchable("int4", 16);
  o.activations = "fp16";
  CHECK(vllm_command(c, o) == "vllm serve deepseek-ai/X --tensor-parallel-size 1 --dtype half --max-num-seqs 16"
                              "   # an int8/int4 checkpoint (GPTQ/AWQ/compressed-tensors) of the model");
  CHECK(sglang_command(c, o) == "python -m sglang.launch_server --model-path deepseek-ai/X --tp 1 --dtype half "
                                "--max-running-requests 16   # an int8/int4 checkpoint (GPTQ/AWQ) of the model");
  o.activations = "bf16";  // the checkpoint's own: no flag
  CHECK(vllm_command(c, o).find("--dtype") == std::string::npos);
  o.activations = "fp32";
  CHECK(vllm_command(c, o).find(" --dtype float32 ") != std::string::npos);
}

TEST_CASE("a MoE model's experts follow TP, the iteration size maps to the base policy's key", "[recommend]") {
  RecommendSpec s;
  s.gpus = {"h200-sxm"};
  s.counts = {16};
  s.tensor_parallel = {8};
  s.max_batched_tokens = {512};
  auto c = candidates(s, true, "chunked");
  REQUIRE(c.size() == 1);
  CHECK(c[0].label() == "16 x h200-sxm, TP 8 EP 8 x 2 replicas, 512-token iterations");
  CHECK(c[0].overrides().back() == "serving.token_budget=512");
  CHECK(c[0].overrides()[4] == "serving.expert_parallel=8");
  c = candidates(s, false, "continuous");
  CHECK(c[0].overrides().back() == "serving.max_batched_tokens=512");
}

TEST_CASE("serving-stack axes: static batches get one candidate, P:D ratios must divide the replicas", "[recommend]") {
  RecommendSpec s;
  s.gpus = {"a"};
  s.counts = {1, 2};
  s.tensor_parallel = {1};
  s.max_batched_tokens = {2048};
  s.policies = {"static", "chunked"};
  s.prefix_cache = {0, 1};
  s.speculative = {"none", "mtp"};
  s.prefill_decode = {{0, 0}, {1, 1}};
  const auto c = candidates(s, false, "continuous");
  // 1 GPU: static 1 + chunked 2 x 2 x 1 (no 1:1 of one replica) = 5; 2 GPUs: 1 + 2 x 2 x 2 = 9
  REQUIRE(c.size() == 14);
  CHECK(c[0].label() == "1 x a, TP 1 x 1 replica, static");
  CHECK(c[0].overrides() == std::vector<std::string>{"platform.gpu=\"a\"", "platform.count=1", "serving.tensor_parallel=1",
                                                     "serving.replicas=1", "serving.policy=\"static\""});
  const Candidate& pd = c[13];  // 2 GPUs, chunked, prefix cache on, MTP, 1P1D
  CHECK(pd.label() == "2 x a, TP 1 x 2 replicas, 2048-token iterations, chunked, prefix cache, mtp, 1P1D");
  CHECK(pd.overrides() == std::vector<std::string>{"platform.gpu=\"a\"", "platform.count=2", "serving.tensor_parallel=1",
                                                   "serving.prefill_replicas=1", "serving.decode_replicas=1",
                                                   "serving.policy=\"chunked\"", "serving.prefix_cache=true",
                                                   "serving.router=\"prefix_aware\"", "serving.speculative=\"mtp\"",
                                                   "serving.token_budget=2048"});
  CHECK(c[5].layout_key() != c[6].layout_key());  // static vs chunked on 2 GPUs: different layouts
  Candidate three = pd;
  three.gpus = 8;
  three.pd_prefill = 1;
  three.pd_decode = 3;
  CHECK(three.prefill_replicas() == 2);
  CHECK(three.decode_replicas() == 6);
}

TEST_CASE("launch commands for a prefix cache, MTP and prefill/decode pools", "[recommend]") {
  Candidate c;
  c.gpu = "h200-sxm";
  c.gpus = 16;
  c.tp = 8;
  c.experts_follow_tp = true;
  c.prefix_cache = 1;
  c.pd_prefill = 1;
  c.pd_decode = 1;
  Outcome o = ok(0.3, 1, 1);
  o.hf_repo = "deepseek-ai/DeepSeek-V3";
  o.weights = "fp8";
  o.max_batch = 256;
  o.speculative = "mtp";
  o.speculative_tokens = 1;
  const std::string common = " --tensor-parallel-size 8 --enable-expert-parallel --max-num-seqs 256 --enable-prefix-caching "
                             "--speculative-config '{\"method\": \"deepseek_mtp\", \"num_speculative_tokens\": 1}' --quantization fp8 "
                             "--kv-transfer-config '{\"kv_connector\": \"NixlConnector\", \"kv_role\": \"kv_both\"}'";
  CHECK(vllm_command(c, o) == "# 1 prefill instance:\nvllm serve deepseek-ai/DeepSeek-V3" + common +
                                  "\n# 1 decode instance:\nvllm serve deepseek-ai/DeepSeek-V3" + common);
  const std::string sg = sglang_command(c, o);
  CHECK(sg.find("--tp 8 --ep-size 8 --max-running-requests 256 --speculative-algorithm EAGLE --speculative-num-steps 1 "
                "--speculative-eagle-topk 1 --speculative-num-draft-tokens 2 --quantization fp8 --disaggregation-mode prefill") !=
        std::string::npos);
  CHECK(sg.find("--disaggregation-mode decode") != std::string::npos);
  CHECK(sg.find("--dp") == std::string::npos);  // each pool's instances are started on their own
  c.prefix_cache = 0;
  c.pd_prefill = c.pd_decode = 0;
  CHECK(sglang_command(c, o).find(" --disable-radix-cache") != std::string::npos);
  CHECK(vllm_command(c, o).find(" --data-parallel-size 2") != std::string::npos);
}

TEST_CASE("pipeline stages: TP x PP must divide the count, weights and commands follow the stages", "[recommend][pp]") {
  RecommendSpec s;
  s.gpus = {"l40s"};
  s.counts = {2, 4};
  s.tensor_parallel = {1, 2};
  s.pipeline_parallel = {1, 2};
  const auto c = candidates(s);
  // count 2: (1,1) (1,2) (2,1); count 4: (1,1) (1,2) (2,1) (2,2)
  REQUIRE(c.size() == 7);
  CHECK(c[1].label() == "2 x l40s, TP 1 PP 2 x 1 replica");
  CHECK(c[1].overrides() == std::vector<std::string>{"platform.gpu=\"l40s\"", "platform.count=2", "serving.tensor_parallel=1",
                                                     "serving.pipeline_parallel=2", "serving.replicas=1"});
  CHECK(c[6].replicas() == 1);  // 4 GPUs: TP 2 x PP 2
  CHECK(c[4].replicas() == 2);  // 4 GPUs: TP 1 x PP 2, two replicas

  const Catalog cat = Catalog::from_environment();
  const ModelCard m = cat.model("deepseek-coder-33b");  // 62 GiB of bf16 weights
  const GpuCard l40s = cat.gpu("l40s");                  // 44.5 GiB
  Candidate one{"l40s", "bf16", 1, 1, 0};
  CHECK(!prune(one, m, l40s, "bf16").empty());
  Candidate two = one;
  two.gpus = 2;
  two.pp = 2;  // half the layers a GPU: 31 GiB
  CHECK(prune(two, m, l40s, "bf16").empty());
  two.pp = 63;
  CHECK(prune(two, m, l40s, "bf16") == "pipeline parallel 63 exceeds deepseek-coder-33b's 62 layers");

  Candidate pp{"h200-sxm", "", 8, 4, 0};
  pp.pp = 2;
  Outcome o = launchable("", 64);
  CHECK(vllm_command(pp, o) == "vllm serve deepseek-ai/X --tensor-parallel-size 4 --pipeline-parallel-size 2 --max-num-seqs 64");
  CHECK(sglang_command(pp, o) ==
        "python -m sglang.launch_server --model-path deepseek-ai/X --tp 4 --pp-size 2 --max-running-requests 64");
}

namespace {
// A candidate on `nodes` copies of an 8-GPU node that prefills, its decode pool on one 8-GPU node.
Candidate own_decode(const std::string& gpu, int nodes, int tp, const std::string& decode_gpu, int decode_tp) {
  Candidate c;
  c.gpu = gpu;
  c.node = "n-" + gpu;
  c.nodes = nodes;
  c.gpus = 8 * nodes;
  c.tp = tp;
  c.decode_node = "n-" + decode_gpu;
  c.decode_nodes = 1;
  c.decode_gpu = decode_gpu;
  c.decode_gpus = 8;
  c.decode_tp = decode_tp;
  return c;
}
// Two node files as the search sees them: 8 GPUs each.
NodeInfo two_nodes(const std::string& id) { return id == "n100" ? NodeInfo{"h100-sxm", 8} : NodeInfo{"h200-sxm", 8}; }
}  // namespace

TEST_CASE("node files as platforms: GPUs from the node, its own expert-parallel degrees", "[recommend]") {
  RecommendSpec s;
  s.gpus.clear();
  s.nodes = {"n100"};
  s.node_counts = {1, 2};
  s.tensor_parallel = {8};
  s.expert_parallel = {8, 16, 12};
  const auto c = candidates(s, true, "continuous", two_nodes);
  // 1 node: EP 8 (EP 16 needs 16 GPUs; EP 12 is no multiple of TP 8); 2 nodes: EP 8 x 2 replicas, EP 16 x 1
  REQUIRE(c.size() == 3);
  CHECK(c[0].label() == "8 x h100-sxm (1 x n100), TP 8 EP 8 x 1 replica");
  CHECK(c[1].replicas() == 2);
  CHECK(c[2].label() == "16 x h100-sxm (2 x n100), TP 8 EP 16 x 1 replica");
  CHECK(c[2].overrides() == std::vector<std::string>{"platform.node=\"n100\"", "platform.nodes=2", "serving.tensor_parallel=8",
                                                     "serving.replicas=1", "serving.expert_parallel=16"});
  // A dense model has no experts: the EP axis does not apply.
  CHECK(candidates(s, false, "continuous", two_nodes).size() == 2);
}

TEST_CASE("a decode pool on its own nodes: every platform replica prefills, the same-kind split is the P:D ratio's", "[recommend]") {
  RecommendSpec s;
  s.gpus.clear();
  s.nodes = {"n100", "n200"};
  s.node_counts = {1, 2};
  s.tensor_parallel = {8};
  s.prefill_decode = {{0, 0}, {1, 1}};
  s.decode_nodes = {"n200"};
  s.decode_tensor_parallel = {4, 8};
  const auto c = candidates(s, true, "continuous", two_nodes);
  // Per platform: colocated, 1:1 (2 nodes only), decode on n200 at TP 4 (2 replicas) and TP 8 (1 replica).
  // n100 x 1: 3; n100 x 2: 4; n200 x 1: 3, less the TP 8 own-decode one (the same as n200 x 2 at 1:1): 2;
  // n200 x 2: 4. Total 13.
  REQUIRE(c.size() == 13);
  const Candidate& x = c[1];  // n100 x 1, decode on n200 at TP 4
  CHECK(x.own_decode());
  CHECK(x.prefill_replicas() == 1);
  CHECK(x.decode_replicas() == 2);
  CHECK(x.label() == "8 x h100-sxm (1 x n100), TP 8 EP 8 x 1 prefill + 8 x h200-sxm (1 x n200), TP 4 EP 4 x 2 decode");
  CHECK(x.overrides() == std::vector<std::string>{"platform.node=\"n100\"", "platform.nodes=1", "serving.tensor_parallel=8",
                                                  "serving.prefill_replicas=1", "serving.decode_replicas=2",
                                                  "decode_platform.node=\"n200\"", "decode_platform.nodes=1",
                                                  "serving.decode_tensor_parallel=4", "serving.decode_expert_parallel=4",
                                                  "serving.expert_parallel=8"});
  CHECK(x.layout_key() != c[2].layout_key());
  for (const Candidate& k : c) CHECK_FALSE((k.node == "n200" && k.nodes == 1 && k.own_decode() && k.decode_tp == 8));
}

TEST_CASE("pruning looks at the decode pool's own GPUs", "[recommend]") {
  const Catalog cat(DSSIM_TEST_DATA_DIR);
  const ModelCard m = cat.model("deepseek-coder-33b");
  Candidate c = own_decode("h200-sxm", 1, 8, "l40s", 1);  // 33 B bf16 weights, 62 GiB on one 48 GB L40S
  const GpuCard h200 = cat.gpu("h200-sxm"), l40s = cat.gpu("l40s");
  CHECK(prune(c, m, h200, "bf16") == "");  // without the decode card: the prefill pool alone
  CHECK(prune(c, m, h200, "bf16", &l40s).rfind("does not fit (decode pool): bf16 weights need", 0) == 0);
  c.decode_tp = 2;
  CHECK(prune(c, m, h200, "bf16", &l40s) == "");
}

TEST_CASE("launch commands per pool: the decode pool's own TP, experts beyond TP, an instance over two nodes", "[recommend]") {
  Candidate c = own_decode("h100-sxm", 2, 8, "h200-sxm", 4);
  c.ep = 16;
  Outcome o = ok(0.3, 1, 1);
  o.hf_repo = "deepseek-ai/DeepSeek-V3";
  o.weights = "fp8";
  o.max_batch = 256;
  const std::string v = vllm_command(c, o);
  CHECK(v.rfind("# 1 prefill instance, on 2 nodes each:\nvllm serve deepseek-ai/DeepSeek-V3 --tensor-parallel-size 8 "
                "--data-parallel-size 2 --enable-expert-parallel --distributed-executor-backend ray --max-num-seqs 256", 0) == 0);
  CHECK(v.find("\n# 2 decode instances:\nvllm serve deepseek-ai/DeepSeek-V3 --tensor-parallel-size 4 --enable-expert-parallel "
               "--max-num-seqs 256") != std::string::npos);
  const std::string g = sglang_command(c, o);
  CHECK(g.find("--tp 16 --enable-dp-attention --dp 2 --ep-size 16 --nnodes 2 --node-rank <0..1> --dist-init-addr <first node>:5000 "
               "--max-running-requests 256 --quantization fp8 --disaggregation-mode prefill") != std::string::npos);
  CHECK(g.find("--tp 4 --ep-size 4 --max-running-requests 256 --quantization fp8 --disaggregation-mode decode") != std::string::npos);
  // Colocated replicas whose experts spread beyond TP: one command per instance, behind a router.
  c.decode_node.clear();
  c.nodes = 4;
  c.gpus = 32;
  CHECK(sglang_command(c, o).rfind("# 2 instances behind a router, on 2 nodes each:\n", 0) == 0);
}
