#include <catch2/catch.hpp>

#include <cmath>

#include "test_gpu.hpp"
#include "config/catalog.hpp"
#include "model/model_work.hpp"
#include "timing/iteration_cost.hpp"
#include "kernel_sim/iteration_sim.hpp"
#include "kernel_sim/sim_iteration.hpp"
#include "serving/serving_metrics.hpp"

#include <algorithm>
#include <numeric>
#include "run/request_stream.hpp"
#include "serving/serving_sim.hpp"
#include "util/error.hpp"
#include "workload/synthetic.hpp"

using namespace dssim;
using dssim::test::bus_gpu;

// Each TEST_CASE here runs a SimGrid engine: CTest runs every case in its own process.

namespace {
// DeepSeek-LLM-7B priced on the H200's calibrated kernels: what the closed-form tests evaluate.
struct H200Pricing {
  Catalog cat{DSSIM_TEST_DATA_DIR};
  ModelCard m = cat.model("deepseek-llm-7b");
  GpuCard g = cat.gpu("h200-sxm");
  RuntimeProfile rt = cat.runtime("pytorch");
  KernelCostModel k{g, load_gpu_profile(g, cat)};
};
}  // namespace

TEST_CASE("M/D/1: mean queueing delay matches Pollaczek-Khinchine, and Little's law holds", "[serving][oracle]") {
  const double lambda = 0.5, D = 1.0;  // utilisation 0.5
  ArrivalSpec a;
  a.rate_per_s = lambda;
  a.requests = 200000;
  a.seed = 3;
  LengthDist one;
  one.value = 1;
  auto reqs = synthesize(a, one, one);
  ServingConfig c;
  c.policy = make_policy("static", "test");
  c.max_batch = 1;
  IterationCostFn cost = [D](const IterationShape&) { return fixed_iteration(D); };
  ServingRun run = run_serving(implicit_node(bus_gpu(), 1), bus_gpu(), 1, c, reqs, cost, 1000, {});
  ServingSummary s = summarize(run, 1);
  const double wq = lambda * D * D / (2 * (1 - lambda * D));  // 0.5 s
  CHECK(s.completed == 200000);
  CHECK(s.service_s.mean == Approx(D));
  CHECK(std::fabs(s.queue_s.mean - wq) / wq < 0.03);
  CHECK(s.littles_L == Approx(s.littles_lambda_W).epsilon(1e-9));
  CHECK(s.gpu_busy_fraction == Approx(lambda * D).epsilon(0.02));
}

TEST_CASE("continuous batching on a hand-built trace: every iteration's composition and time", "[serving][oracle]") {
  std::vector<Request> reqs{{0, 0.0, 4, 3}, {1, 0.15, 4, 2}};
  ServingConfig c;
  c.policy = make_policy("continuous", "test");
  c.max_batch = 8;
  c.block_size = 4;
  c.slo_ttft_s = 0.2;
  IterationCostFn cost = [](const IterationShape&) { return fixed_iteration(0.1); };
  ServingOptions opt;
  opt.record_iterations = true;
  ServingRun run = run_serving(implicit_node(bus_gpu(), 1), bus_gpu(), 1, c, reqs, cost, 100, opt);
  // prefill A [0, .1]; decode A [.1, .2]; B arrived at .15: prefill B [.2, .3]; decode A+B [.3, .4]
  REQUIRE(run.iterations.size() == 4);
  CHECK(run.iterations[0].prefill_tokens == 4);
  CHECK(run.iterations[1].decodes == 1);
  CHECK(run.iterations[2].prefill_tokens == 4);
  CHECK(run.iterations[2].decodes == 0);
  CHECK(run.iterations[3].decodes == 2);
  CHECK(run.iterations[3].end_s == Approx(0.4));
  const SeqState& A = run.seqs[0];
  const SeqState& B = run.seqs[1];
  CHECK(A.first_token_s == Approx(0.1));
  CHECK(A.finish_s == Approx(0.4));
  CHECK(B.start_s == Approx(0.2));
  CHECK(B.first_token_s == Approx(0.3));
  CHECK(B.finish_s == Approx(0.4));
  ServingSummary s = summarize(run, 1);
  CHECK(s.mean_batch == Approx(1.25));
  CHECK(s.queue_s.mean == Approx(0.025));
  CHECK(s.goodput_rps == Approx(2 / 0.4));  // both met TTFT <= 0.2 s (0.1 and 0.15)
  // Inter-token gaps: A's tokens at .1, .2, .4 (B's prefill held it back), B's at .3, .4: {.1, .2, .1}
  CHECK(s.itl_s.count == 3);
  CHECK(s.itl_s.mean == Approx(0.4 / 3));
  CHECK(s.itl_s.p50 == Approx(0.1).epsilon(kLogHistogramError));
  CHECK(s.itl_s.p99 == Approx(0.2).epsilon(kLogHistogramError));
  CHECK(s.tpot_s.mean == Approx((0.15 + 0.1) / 2));  // per request: (.4 - .1) / 2 and (.4 - .3) / 1
}

TEST_CASE("the closed-form iteration cost agrees with the kernel-level simulation", "[serving][oracle]") {
  const H200Pricing h;
  const ModelCard& m = h.m;
  const GpuCard& g = h.g;
  const RuntimeProfile& rt = h.rt;
  const KernelCostModel& k = h.k;
  ForwardConfig fc;
  IterationCostModel ic(m, fc, k, rt, true, CommLinks{});
  auto sim_of = [&](const ForwardShape& s, bool graph) {
    return sim_iteration(build_forward(m, fc, s), k, rt, s.batch, s.new_tokens, graph);
  };
  SimSetup setup;
  setup.node = implicit_node(g, 1);
  setup.gpu = g;
  auto res = simulate_iterations(setup, {sim_of({true, 1, 512, 512}, false), sim_of({true, 4, 128, 128}, false),
                                         sim_of({false, 8, 1, 513}, true), sim_of({false, 64, 1, 2049}, true)});
  IterationShape pre1;
  pre1.prefill.push_back({512, 512, true});
  IterationShape pre4;
  for (int i = 0; i < 4; ++i) pre4.prefill.push_back({128, 128, true});
  IterationShape dec8;
  dec8.decode = 8;
  dec8.decode_context_sum = 8 * 513;
  IterationShape dec64;
  dec64.decode = 64;
  dec64.decode_context_sum = 64 * 2049;
  CHECK(ic.time(pre1) == Approx(res[0].duration()).epsilon(0.03));
  // four sequences' attention as four kernels instead of one batched kernel: a few kernel launches more
  CHECK(ic.time(pre4) == Approx(res[1].duration()).epsilon(0.03));
  CHECK(ic.time(dec8) == Approx(res[2].duration()).epsilon(0.03));
  CHECK(ic.time(dec64) == Approx(res[3].duration()).epsilon(0.03));
}

namespace {
// Two replicas of one GPU under one PCIe switch whose uplink (10 GB/s) equals each GPU's link.
// `cxl_Bps` > 0: the streams come from one CXL expander of that rate instead of the CPU's memory.
ServingRun offload_run(int replicas, double cxl_Bps = 0) {
  GpuCard g = bus_gpu();
  g.pcie_Bps_per_direction = 10e9;
  NodeSpec n = implicit_node(g, 2);
  n.pcie_switches = 1;
  n.pcie_switch_uplink_Bps = 10e9;
  n.pcie_latency_s = 1e-6;
  n.cxl_expanders = cxl_Bps > 0 ? 1 : 0;
  n.cxl_Bps = cxl_Bps;
  std::vector<Request> reqs{{0, 0.0, 4, 1}, {1, 0.0, 4, 1}};  // one prefill iteration each
  ServingConfig c;
  c.replicas = replicas;
  c.max_batch = 1;
  IterationCostFn cost = [](const IterationShape&) {
    IterationCostBreakdown b = fixed_iteration(1e-3);
    b.stream_bytes = 1e8;  // 10 ms alone on the link
    return b;
  };
  ServingOptions opt;
  opt.event_queue = false;  // the streams are SimGrid transfers (a pool built by the run says so: ReplicaPool::streams)
  opt.cxl_host = cxl_Bps > 0;
  return run_serving(n, g, 1, c, reqs, cost, 100, opt);
}

TEST_CASE("streams in a replay on the event queue are an internal error, not a silent free transfer", "[serving]") {
  NodeSpec n = implicit_node(bus_gpu(), 1);
  std::vector<Request> reqs{{0, 0.0, 4, 1}};
  ServingConfig c;
  IterationCostFn cost = [](const IterationShape&) {
    IterationCostBreakdown b = fixed_iteration(1e-3);
    b.stream_bytes = 1e8;
    return b;
  };
  try {
    run_serving(n, bus_gpu(), 1, c, reqs, cost, 100, {});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("shared links in a replay without the platform") != std::string::npos);
    CHECK(e.code() == ExitCode::internal);
  }
}
}  // namespace

TEST_CASE("serving with weight offload: one replica streams at the link rate", "[serving][oracle][offload]") {
  ServingRun run = offload_run(1);
  // two iterations back to back, each max(1 ms compute, 1 us + 10 ms of streaming)
  CHECK(run.end_s == Approx(2 * (1e-6 + 1e8 / 10e9)).epsilon(1e-9));
}

TEST_CASE("serving with offload from CXL memory: the expander's link paces the streams", "[serving][offload]") {
  ServingRun run = offload_run(1, 4e9);
  // each iteration max(1 ms compute, 1 us + 100 MB at the expander's 4 GB/s = 25 ms), back to back
  CHECK(run.end_s == Approx(2 * (1e-6 + 1e8 / 4e9)).epsilon(1e-9));
}

TEST_CASE("serving with weight offload: two replicas share the switch uplink", "[serving][oracle][offload]") {
  ServingRun run = offload_run(2);
  // both stream at once through the one uplink: 5 GB/s each, 20 ms instead of 10
  CHECK(run.end_s == Approx(1e-6 + 2 * 1e8 / 10e9).epsilon(1e-9));
  CHECK(run.seqs[0].finish_s == Approx(run.seqs[1].finish_s));
}

TEST_CASE("KV offload in serving reads only the attended tokens beyond the GPUs' pool", "[serving][offload]") {
  IterationShape s;
  s.decode = 4;
  s.decode_context_sum = 4 * 1000;          // 4000 tokens attended by decodes
  s.prefill.push_back({500, 1500, false});   // a chunk attending to 1500
  CHECK(host_kv_read_bytes(s, 6000, 100) == 0);                   // 5500 fit the 6000-token pool
  CHECK(host_kv_read_bytes(s, 5000, 100) == Approx(500 * 100));    // 500 tokens over, 100 B each
  CHECK(host_kv_read_bytes(IterationShape{}, 0, 100) == 0);
}

TEST_CASE("an error inside a simulated actor comes back as an ordinary error, not an abort", "[serving]") {
  std::vector<Request> reqs{{0, 0.0, 4, 3}, {1, 0.1, 4, 2}, {2, 0.2, 4, 2}};
  ServingConfig c;
  c.max_batch = 8;
  int calls = 0;
  IterationCostFn cost = [&calls](const IterationShape&) {
    if (++calls == 3) throw Error("the third iteration cannot be priced");
    return fixed_iteration(0.01);
  };
  try {
    run_serving(implicit_node(bus_gpu(), 1), bus_gpu(), 1, c, reqs, cost, 1000, {});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "the third iteration cannot be priced");
  }
  CHECK(calls == 3);  // the other actors stopped: nothing ran after the failure
}

TEST_CASE("coalesced stretches: an arrival ends one at the iteration it came during, as iteration by iteration", "[serving][oracle][coalesce]") {
  // A decodes in 0.1 s steps from 0.1 s; B arrives at 0.25 s, during the step [0.2, 0.3]: B's prefill
  // runs [0.3, 0.4], then both decode until A's last token at 0.1 x (1 + 9 + 1) = 1.1 s.
  std::vector<Request> reqs{{0, 0.0, 4, 10}, {1, 0.25, 4, 2}};
  ServingConfig c;
  c.policy = make_policy("continuous", "test");
  c.max_batch = 8;
  c.block_size = 4;
  IterationCostFn cost = [](const IterationShape&) { return fixed_iteration(0.1); };
  ServingOptions opt;
  opt.record_iterations = true;
  ServingRun run = run_serving(implicit_node(bus_gpu(), 1), bus_gpu(), 1, c, reqs, cost, 100, opt);
  REQUIRE(run.iterations.size() == 11);
  CHECK(run.iterations[3].prefill_tokens == 4);
  CHECK(run.iterations[3].start_s == Approx(0.3));
  CHECK(run.seqs[1].first_token_s == Approx(0.4));
  CHECK(run.seqs[1].finish_s == Approx(0.5));
  CHECK(run.seqs[0].finish_s == Approx(1.1));
  CHECK(run.activities < 11);  // fewer waits than iterations
  CHECK(run.busy_s == Approx(1.1));
  // (The per-iteration engine gives the same on every shipped scenario: the engine.oracle tests.)
}

namespace {
// Replicas of one GPU each on a node whose SSDs read 10 GB/s; every prefill reads 1 GB of cached
// prefix from them (1 ms of compute).
ServingRun ssd_run(int replicas) {
  std::vector<Request> reqs;
  for (int i = 0; i < replicas; ++i) reqs.push_back({i, 0.0, 4, 1});
  ServingConfig c;
  c.replicas = replicas;
  IterationCostFn cost = [](const IterationShape& s) {
    IterationCostBreakdown b = fixed_iteration(1e-3);
    if (!s.prefill.empty()) b.disk_bytes = 1e9;
    return b;
  };
  ServingOptions opt;
  opt.ssd_read_Bps = 10e9;
  return run_serving(implicit_node(bus_gpu(), 2), bus_gpu(), 1, c, reqs, cost, 100, opt);
}
}  // namespace

TEST_CASE("prefix-cache reads from a node's SSDs: one replica alone reads at the disk's rate", "[serving][prefix]") {
  ServingRun run = ssd_run(1);
  CHECK(run.end_s == Approx(0.1).epsilon(1e-9));  // max(1 ms compute, 1 GB / 10 GB/s)
}

TEST_CASE("prefix-cache reads from a node's SSDs: two replicas share its bandwidth", "[serving][prefix]") {
  ServingRun run = ssd_run(2);
  CHECK(run.end_s == Approx(0.2).epsilon(1e-9));  // 5 GB/s each
  CHECK(run.seqs[0].finish_s == Approx(run.seqs[1].finish_s));
}

TEST_CASE("a serving iteration's model work is the fixed batch's: same shapes, same FLOPs and bytes, any layout", "[serving][mfu]") {
  const H200Pricing h;
  const ModelCard& m = h.m;
  const GpuCard& g = h.g;
  const RuntimeProfile& rt = h.rt;
  const KernelCostModel& k = h.k;
  ForwardConfig fc;
  for (int tp : {1, 2}) {
    ForwardConfig c = fc;
    c.layout.tp = tp;
    IterationCostModel ic(m, c, k, rt, true, make_comm_links(implicit_node(g, 2), g, c.layout, rt, comm::AllReduceAlgo::automatic, {}));
    IterationShape pre;
    pre.prefill.push_back({512, 512, true});
    const ModelWork a = ic.work(pre);
    const ModelWork pw = model_work(m, fc, ForwardShape{true, 1, 512, 512});
    CHECK(a.flops == Approx(pw.flops).epsilon(1e-12));
    CHECK(a.bytes == Approx(pw.bytes).epsilon(1e-12));
    IterationShape dec;
    dec.decode = 8;
    dec.decode_context_sum = 8 * 513;
    dec.decode_context_max = 513;
    const ModelWork b = ic.work(dec);
    const ModelWork dw = model_work(m, fc, ForwardShape{false, 8, 1, 513});
    CHECK(b.flops == Approx(dw.flops).epsilon(1e-12));
    // the serving cost model prices a decode step's token ops as one sequence of `decode` tokens, as its
    // timings do: the eager RoPE tables are sized by 8 positions instead of 1 (a few MB of 15 GB)
    CHECK(b.bytes == Approx(dw.bytes).epsilon(1e-3));
    CHECK(b.bytes >= dw.bytes);
    // by hand, per sequence: 30 layers of GEMMs (qkv, o, gate_up, down) and attention over 513
    // positions, then the LM head (the embedding lookup is no arithmetic)
    const double per_layer = 2.0 * 4096 * (12288 + 4096 + 22016) + 2.0 * 11008 * 4096 + 2.0 * 32 * 513 * 256;
    CHECK(b.flops / 8 == Approx(30 * per_layer + 2.0 * 4096 * 102400).epsilon(1e-12));
  }
}

TEST_CASE("a distribution's percentiles by selection are the nearest-rank values of the sorted sample", "[serving]") {
  std::vector<double> v;
  unsigned x = 12345;
  for (int i = 0; i < 1001; ++i) {
    x = x * 1103515245u + 12345u;
    v.push_back(static_cast<double>(x % 10007) / 7.0);
  }
  std::vector<double> s = v;
  std::sort(s.begin(), s.end());
  const Distribution d = distribution(v);
  CHECK(d.p50 == s[500]);   // ceil(0.5 x 1001) = 501st
  CHECK(d.p90 == s[900]);   // ceil(900.9) = 901st
  CHECK(d.p99 == s[990]);   // ceil(990.99) = 991st
  CHECK(d.count == 1001);
  CHECK(d.mean == Approx(std::accumulate(s.begin(), s.end(), 0.0) / 1001));
}
