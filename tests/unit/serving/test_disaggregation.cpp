#include <catch2/catch.hpp>

#include <vector>

#include "test_gpu.hpp"
#include "config/toml_table.hpp"
#include "serving/serving_metrics.hpp"
#include "serving/serving_sim.hpp"
#include "util/error.hpp"

using namespace dssim;
using dssim::test::bus_gpu;

// Each TEST_CASE here runs a SimGrid engine: CTest runs every case in its own process.

namespace {
// A prefill and a decode pool of `replicas` one-GPU replicas each: every iteration takes `seconds`, a
// sequence's KV is `kv_bytes` per token on each decode GPU.
std::vector<ReplicaPool> pools(int replicas, long long kv_blocks, double seconds, double kv_bytes) {
  IterationCostFn cost = [seconds](const IterationShape&) { return fixed_iteration(seconds); };
  ReplicaPool pre, dec;
  pre.role = PoolRole::prefill;
  dec.role = PoolRole::decode;
  for (ReplicaPool* p : {&pre, &dec}) {
    p->replicas = replicas;
    p->kv_blocks = kv_blocks;
    p->cost = cost;
  }
  dec.kv_bytes_per_token_per_gpu = kv_bytes;
  return {pre, dec};
}

// One prefill and one decode replica, continuous batching of up to 8, KV blocks of 4 tokens.
ServingConfig one_p_one_d() {
  ServingConfig c;
  c.policy = make_policy("continuous", "test");
  c.max_batch = 8;
  c.block_size = 4;
  c.prefill_replicas = c.decode_replicas = 1;
  c.replicas = 2;
  return c;
}

// One prefill and one decode replica of one GPU each on a 2-GPU PCIe node; every iteration takes
// 0.1 s; a sequence's KV is 0.25 GB per token on the decode GPU.
ServingRun pd_run(const std::vector<Request>& reqs) {
  ServingOptions opt;
  opt.record_iterations = true;
  return run_serving_pools(implicit_node(bus_gpu(), 2), bus_gpu(), one_p_one_d(), reqs, pools(1, 100, 0.1, 0.25e9), opt);
}
}  // namespace

TEST_CASE("disaggregation by hand: prefill, the KV over PCIe, then decode on the other GPU", "[serving][pd]") {
  // 4 prompt tokens: 1 GB of KV at 32 GB/s through two 1 us PCIe hops = 31.252 ms
  const ServingRun run = pd_run({{0, 0.0, 4, 3}});
  const SeqState& s = run.seqs[0];
  const double transfer = 1e9 / 32e9 + 2e-6;
  CHECK(s.transfer_start_s == Approx(0.1));
  CHECK(s.transfer_end_s == Approx(0.1 + transfer).epsilon(1e-9));
  CHECK(s.first_token_s == Approx(0.1 + transfer).epsilon(1e-9));  // the user sees it once decode has the KV
  CHECK(s.finish_s == Approx(0.1 + transfer + 0.2).epsilon(1e-9));   // two decode steps for tokens 2 and 3
  REQUIRE(run.iterations.size() == 3);
  CHECK(run.iterations[0].replica == 0);  // the prefill replica prefills
  CHECK(run.iterations[0].prefill_tokens == 4);
  CHECK(run.iterations[1].replica == 1);  // the decode replica decodes
  CHECK(run.iterations[1].decodes == 1);
  CHECK(run.iterations[1].prefill_tokens == 0);
  const ServingSummary sum = summarize(run, 2);
  CHECK(sum.disaggregated);
  CHECK(sum.kv_transfer_s.mean == Approx(transfer).epsilon(1e-9));
  CHECK(sum.ttft_s.mean == Approx(0.1 + transfer).epsilon(1e-9));
}

TEST_CASE("disaggregation: two transfers at once share the prefill GPU's PCIe link", "[serving][pd]") {
  // Both prompts prefill in one iteration and leave together: 16 GB/s each, 62.5 ms instead of 31.25.
  const ServingRun run = pd_run({{0, 0.0, 4, 2}, {1, 0.0, 4, 2}});
  const double shared = 2 * 1e9 / 32e9 + 2e-6;
  for (const SeqState& s : run.seqs) {
    CHECK(s.transfer_end_s - s.transfer_start_s == Approx(shared).epsilon(1e-9));
    CHECK(s.finish_s == Approx(0.1 + shared + 0.1).epsilon(1e-9));  // one decode step, both together
  }
}

TEST_CASE("disaggregation: a one-token answer never leaves the prefill replica", "[serving][pd]") {
  const ServingRun run = pd_run({{0, 0.0, 4, 1}});
  CHECK(run.seqs[0].transfer_start_s < 0);
  CHECK(run.seqs[0].first_token_s == Approx(0.1));
  CHECK(run.seqs[0].finish_s == Approx(0.1));
  CHECK(run.iterations.size() == 1);
}

TEST_CASE("disaggregation settings: both pools, no replicas beside them, their own parallel degrees", "[serving][pd]") {
  auto error = [](const std::string& extra) {
    toml::table doc = toml::parse("[serving]\npolicy = \"chunked\"\n" + extra);
    TomlTable sv(*doc["serving"].as_table(), "test.toml", "serving");
    ServingConfig c;
    try {
      read_serving(sv, c);
      sv.finish();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(error("prefill_replicas = 1\n"), Catch::Contains("disaggregated serving needs both pools: set prefill_replicas and decode_replicas"));
  CHECK_THAT(error("prefill_replicas = 1\ndecode_replicas = 2\nreplicas = 3\n"),
             Catch::Contains("the pools say how many replicas there are; remove replicas"));
  CHECK_THAT(error("decode_tensor_parallel = 4\n"), Catch::Contains("a setting of prefill/decode disaggregation"));
  CHECK(error("prefill_replicas = 1\ndecode_replicas = 2\ndecode_tensor_parallel = 4\n").empty());
}

TEST_CASE("disaggregation: many hand-offs from several prefill replicas at once all reach a decode replica", "[serving][pd]") {
  // Creating a transfer is a simcall: another prefill replica may hand off its own sequences
  // meanwhile. Every request must still finish (the engine throws if one is left half-way).
  std::vector<Request> reqs;
  for (int i = 0; i < 200; ++i) reqs.push_back({i, 0.001 * (i / 4), 4 + i % 7, 2 + i % 5});
  ServingConfig c;
  c.policy = make_policy("chunked", "test");
  c.max_batch = 16;
  c.block_size = 4;
  c.router = Router::least_outstanding;
  c.prefill_replicas = c.decode_replicas = 2;
  c.replicas = 4;
  const ServingRun run = run_serving_pools(implicit_node(bus_gpu(), 4), bus_gpu(), c, reqs, pools(2, 40, 0.002, 1e6), {});
  long long moved = 0;
  for (const SeqState& s : run.seqs) {
    CHECK(s.finish_s > 0);
    if (s.output > 1) {
      CHECK(s.transfer_end_s >= s.transfer_start_s);
      ++moved;
    }
  }
  CHECK(moved == 200);  // every request (all have more than one output token) moved once
}

namespace {
// A node of `gpus` bus GPUs with one 10 GB/s NIC per GPU (5 us each way).
NodeSpec networked(int gpus, double nic_Bps) {
  NodeSpec n = implicit_node(bus_gpu(), gpus);
  n.id = "net" + std::to_string(gpus);
  n.nic_Bps = nic_Bps;
  n.nic_latency_s = 5e-6;
  n.nics = "per_gpu";
  return n;
}
// One prefill replica on the run's node; one decode replica on both GPUs of `dec_node`, 0.05 s a step.
std::vector<ReplicaPool> decode_on(const NodeSpec& dec_node, const GpuCard& gpu) {
  std::vector<ReplicaPool> ps = pools(1, 100, 0.1, 0.25e9);
  ps[1].cost = [](const IterationShape&) { return fixed_iteration(0.05); };
  ps[1].gpus_per_replica = 2;
  ps[1].node = &dec_node;
  ps[1].gpu = &gpu;
  return ps;
}
}  // namespace

TEST_CASE("disaggregation on two kinds of node: the KV leaves by the prefill node's NIC, enters by the decode node's", "[serving][pd]") {
  // Prefill on a 1-GPU node with a 10 GB/s NIC, decode on its own 2-GPU node (a slower 4 GB/s NIC,
  // its own iteration time of 0.05 s). The decode replica has both GPUs: each receives 1 GB (4 tokens x
  // 0.25 GB) from the one prefill GPU, so the prefill NIC carries 2 GB at 10 GB/s (0.2 s) while each
  // decode NIC takes 1 GB at 4 GB/s (0.25 s): max-min gives each flow 4 GB/s, 0.25 s + 2 x 5 us.
  const ServingConfig c = one_p_one_d();
  const NodeSpec pre_node = networked(1, 10e9), dec_node = networked(2, 4e9);
  const GpuCard gpu = bus_gpu();
  std::vector<ReplicaPool> ps = decode_on(dec_node, gpu);
  ServingOptions opt;
  opt.record_iterations = true;
  const ServingRun run = run_serving_pools(pre_node, gpu, c, std::vector<Request>{{0, 0.0, 4, 3}}, ps, opt);
  const SeqState& s = run.seqs[0];
  const double transfer = 1e9 / 4e9 + 2 * 5e-6;
  CHECK(s.transfer_end_s - s.transfer_start_s == Approx(transfer).epsilon(1e-9));
  CHECK(s.finish_s == Approx(0.1 + transfer + 2 * 0.05).epsilon(1e-9));  // two decode steps at the decode pool's pace
  REQUIRE(run.pool_gpu_busy_s.size() == 2);
  CHECK(run.pool_gpu_busy_s[0] == Approx(0.1));       // one prefill iteration on one GPU
  CHECK(run.pool_gpu_busy_s[1] == Approx(2 * 0.05 * 2));  // two decode steps on two GPUs
  // The same decode pool with a GPU more than its node has is refused, naming that node.
  ps[1].gpus_per_replica = 3;
  CHECK_THROWS_WITH(run_serving_pools(pre_node, gpu, c, std::vector<Request>{{0, 0.0, 4, 3}}, ps, opt),
                    Catch::Contains("the net2 platform has 2"));
}

TEST_CASE("disaggregation across a thinner cluster link: both decode GPUs' KV share it", "[serving][pd]") {
  // The case above with the decode cluster joined by a 3 GB/s link (20 us): the two 1 GB flows of the
  // hand-off now share it (1.5 GB/s each, below either NIC's share), 2 GB / 3 GB/s = 0.667 s, plus the
  // two NICs' latencies and the link's.
  const ServingConfig c = one_p_one_d();
  const NodeSpec pre_node = networked(1, 10e9), dec_node = networked(2, 4e9);
  const GpuCard gpu = bus_gpu();
  std::vector<ReplicaPool> ps = decode_on(dec_node, gpu);
  ps[1].link_Bps = 3e9;
  ps[1].link_latency_s = 20e-6;
  const ServingRun run = run_serving_pools(pre_node, gpu, c, std::vector<Request>{{0, 0.0, 4, 3}}, ps, {});
  const SeqState& s = run.seqs[0];
  const double transfer = 2e9 / 3e9 + 2 * 5e-6 + 20e-6;
  CHECK(s.transfer_end_s - s.transfer_start_s == Approx(transfer).epsilon(1e-9));
  CHECK(s.finish_s == Approx(0.1 + transfer + 2 * 0.05).epsilon(1e-9));
}

TEST_CASE("a pool's power is by pool: the mean over its own GPUs", "[serving][pd]") {
  ServingRun run;
  run.end_s = 10;
  GpuEnergy a, b, c;
  a.pool = 0, a.gpus = 2, a.energy_j = 1000, a.busy_energy_j = 600, a.busy_s = 2, a.max_temp_c = 50;
  b.pool = 1, b.gpus = 4, b.energy_j = 3000, b.busy_energy_j = 1200, b.busy_s = 3, b.throttled_s = 1.5, b.max_temp_c = 70;
  c = b;
  c.max_temp_c = 60;
  run.energy = {a, b, c};
  const PoolPower p0 = pool_power(run, 0, 1), p1 = pool_power(run, 1, 1);
  CHECK(p0.mean_w == Approx(100));  // 1000 J per GPU over 10 s
  CHECK(p0.busy_w == Approx(300));  // 600 J over 2 busy s
  CHECK(p0.max_temp_c == Approx(50));
  CHECK(p1.mean_w == Approx(300));  // 3000 J per GPU over 10 s, both replicas alike
  CHECK(p1.busy_w == Approx(400));  // 2400 J over 6 busy s
  CHECK(p1.throttled_fraction == Approx(0.5));
  CHECK(p1.max_temp_c == Approx(70));
}
