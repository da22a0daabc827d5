#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "comm/collectives.hpp"
#include "config/catalog.hpp"
#include "config/node_spec.hpp"
#include "hw/engine.hpp"
#include "hw/platform.hpp"
#include "test_files.hpp"
#include "util/error.hpp"

using namespace dssim;
namespace sg4 = simgrid::s4u;

namespace {

// ---- Round-number hardware ------------------------------------------------------------------------

GpuCard card(double pcie_Bps, double nvlink_Bps) {
  GpuCard g;
  g.id = "test-gpu";
  g.memory_bw_Bps = 1e12;
  g.pcie_Bps_per_direction = pcie_Bps;
  g.nvlink_Bps_per_direction = nvlink_Bps;
  return g;
}
const GpuCard kSxm = card(10e9, 100e9);  // NVLink 100 GB/s, PCIe 10 GB/s per direction
const GpuCard kPcie = card(10e9, 0);     // PCIe only, 10 GB/s per direction

NodeSpec node(const std::string& interconnect, int gpus) {
  NodeSpec n;
  n.id = "test-" + interconnect;
  n.gpu_count = gpus;
  n.interconnect = interconnect;
  n.pcie_latency_s = 1e-6;
  n.nvlink_latency_s = 1e-6;
  return n;
}
const NodeSpec kNvs8 = node("nvswitch", 8);  // 8 GPUs on NVSwitch
const NodeSpec kPcie4 = node("pcie", 4);     // 4 GPUs, each straight on the root complex

// ---- One simulation per forked child ----------------------------------------------------------------
// SimGrid allows one engine per process (create_engine throws on a second), and `dssim_unit_tests "[comm]"`
// runs every case of the tag in one process: each simulation runs in a child of its own and sends back
// the numbers it recorded (or the message of the exception it threw).

struct ChildResult {
  std::vector<double> values;
  std::string error;  // empty when the simulation ran
};

ChildResult in_child(const std::function<std::vector<double>()>& sim) {
  int fd[2];
  REQUIRE(::pipe(fd) == 0);
  std::cout.flush();  // or the child, sharing the buffered text, prints it a second time
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fd[0]);
    std::ostringstream o;
    o.precision(17);
    try {
      auto v = sim();
      o << "ok";
      for (double x : v) o << ' ' << x;
    } catch (const std::exception& e) {
      o << "error " << e.what();
    }
    const std::string s = o.str();
    std::size_t done = 0;
    while (done < s.size()) {
      const ssize_t w = ::write(fd[1], s.data() + done, s.size() - done);
      if (w <= 0) break;
      done += static_cast<std::size_t>(w);
    }
    ::_exit(0);
  }
  ::close(fd[1]);
  std::string text;
  char buf[4096];
  for (ssize_t r; (r = ::read(fd[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(r));
  ::close(fd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  ChildResult res;
  if (text.rfind("error ", 0) == 0) {
    res.error = text.substr(6);
    return res;
  }
  REQUIRE(text.rfind("ok", 0) == 0);
  std::istringstream in(text.substr(2));
  for (double x; in >> x;) res.values.push_back(x);
  return res;
}

// Builds the platform of `n` x `g` and runs `body` in one actor on the first CPU; body records durations.
using Body = std::function<void(const Platform&, std::vector<double>&)>;
std::vector<double> simulate(const NodeSpec& n, const GpuCard& g, const Body& body) {
  ChildResult r = in_child([&] {
    auto engine = create_engine();
    Platform p = build_platform(*engine, n, g);
    std::vector<double> out;
    sg4::Actor::create("driver", p.cpu, [&] { body(p, out); });
    engine->run();
    return out;
  });
  INFO(r.error);
  REQUIRE(r.error.empty());
  return r.values;
}

// The duration of `f` in simulated seconds (call inside an actor).
double timed(const std::function<void()>& f) {
  const double t0 = sg4::Engine::get_clock();
  f();
  return sg4::Engine::get_clock() - t0;
}

std::vector<sg4::Host*> first(const Platform& p, int k) { return {p.gpus.begin(), p.gpus.begin() + k}; }

constexpr double kStep = 5e-6;  // software latency per step in the simulated tests
// alpha of a step between two GPUs of one node: two links of 1 us each (NVLink i UP + NVLink j DOWN,
// or PCIe i UP + PCIe j DOWN through the root complex), plus the software step latency.
constexpr double kAlpha2Hops = 2 * 1e-6 + kStep;

}  // namespace

// ---- Closed forms -----------------------------------------------------------------------------------

TEST_CASE("closed forms: ring and tree all-reduce, automatic choice", "[comm]") {
  using namespace dssim::comm;
  // 2(p-1)(alpha + n/(pB)): p = 4, n = 4 MB, B = 1 GB/s, alpha = 10 us -> 6 x (10 us + 1 ms)
  CHECK(ring_allreduce_time(4, 4e6, 1e9, 1e-5) == Approx(6.06e-3).epsilon(1e-12));
  CHECK(ring_allreduce_time(2, 1e6, 1e9, 0) == Approx(1e-3).epsilon(1e-12));  // 2 x 0.5 MB
  CHECK(ring_allreduce_time(8, 8e9, 100e9, 2e-6) == Approx(14 * (2e-6 + 1e-2)).epsilon(1e-12));
  // 2 ceil(log2 p)(alpha + n/B)
  CHECK(tree_allreduce_time(4, 4e6, 1e9, 1e-5) == Approx(4 * 4.01e-3).epsilon(1e-12));
  CHECK(tree_allreduce_time(5, 1e6, 1e9, 0) == Approx(6e-3).epsilon(1e-12));  // ceil(log2 5) = 3
  CHECK(tree_allreduce_time(8, 1e6, 1e9, 0) == Approx(6e-3).epsilon(1e-12));
  CHECK(tree_allreduce_time(2, 1e6, 1e9, 1e-6) == Approx(2 * 1.001e-3).epsilon(1e-12));
  // p = 1 and empty buffers cost nothing, not even a latency
  for (auto a : {AllReduceAlgo::ring, AllReduceAlgo::tree, AllReduceAlgo::automatic}) {
    CHECK(allreduce_time(a, 1, 1e9, 1e9, 1e-5) == 0);
    CHECK(allreduce_time(a, 8, 0, 1e9, 1e-5) == 0);
  }
  // automatic: p = 8, alpha = 10 us, B = 100 GB/s. 1 kB: ring 14 x ~10 us > tree 6 x ~10 us -> tree.
  // 1 GB: ring 14 x (10 us + 1.25 ms) = 17.64 ms < tree 6 x (10 us + 10 ms) = 60.06 ms -> ring.
  CHECK(choose_allreduce(8, 1e3, 100e9, 1e-5) == AllReduceAlgo::tree);
  CHECK(allreduce_time(AllReduceAlgo::automatic, 8, 1e3, 100e9, 1e-5) == Approx(6 * (1e-5 + 1e-8)).epsilon(1e-12));
  CHECK(choose_allreduce(8, 1e9, 100e9, 1e-5) == AllReduceAlgo::ring);
  CHECK(allreduce_time(AllReduceAlgo::automatic, 8, 1e9, 100e9, 1e-5) == Approx(17.64e-3).epsilon(1e-12));
  // p = 2: both take 2 steps, the ring's move half the buffer each: the ring wins any non-empty buffer
  CHECK(choose_allreduce(2, 1.0, 1e9, 1e-5) == AllReduceAlgo::ring);
  CHECK_THROWS_AS(ring_allreduce_time(4, 1e6, 0, 0), Error);
}

TEST_CASE("closed forms: all-to-all, all-gather, point-to-point", "[comm]") {
  using namespace dssim::comm;
  CHECK(all_to_all_time(4, 1e6, 1e9, 1e-5) == Approx(1e-5 + 3e-3).epsilon(1e-12));  // alpha + (p-1) n_pair / B
  CHECK(all_to_all_time(8, 1e6, 100e9, 2e-6) == Approx(2e-6 + 7e-5).epsilon(1e-12));
  CHECK(all_to_all_time(1, 1e6, 1e9, 1e-5) == 0);
  CHECK(all_to_all_time(4, 0, 1e9, 1e-5) == 0);
  CHECK(all_gather_time(4, 4e6, 1e9, 1e-5) == Approx(3 * (1e-5 + 1e-3)).epsilon(1e-12));  // (p-1)(alpha + n/(pB))
  CHECK(all_gather_time(8, 8e6, 1e9, 0) == Approx(7e-3).epsilon(1e-12));
  CHECK(all_gather_time(1, 8e6, 1e9, 1e-5) == 0);
  CHECK(p2p_time(1e6, 1e9, 1e-5) == Approx(1.01e-3).epsilon(1e-12));
  CHECK(p2p_time(0, 1e9, 1e-5) == 0);
}

// ---- group_link ---------------------------------------------------------------------------------------

TEST_CASE("group_link: NVSwitch, PCIe root complex, PCIe switches, across nodes", "[comm]") {
  // NVSwitch: NVLink i UP + NVLink j DOWN, 1 us each
  GroupLink l = group_link(kNvs8, kSxm, {0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(l.kind == "nvlink");
  CHECK(l.Bps == 100e9);
  CHECK(l.latency_s == Approx(2e-6));
  CHECK(l.hops == 2);
  l = group_link(kNvs8, kSxm, {3});
  CHECK(l.kind == "nvlink");
  CHECK(l.latency_s == 0);
  CHECK(l.hops == 0);
  // Root complex: PCIe i UP + PCIe j DOWN
  l = group_link(kPcie4, kPcie, {0, 1, 2, 3});
  CHECK(l.kind == "pcie");
  CHECK(l.Bps == 10e9);
  CHECK(l.latency_s == Approx(2e-6));
  CHECK(l.hops == 2);
  // Two switches (GPUs 0,1 | 2,3), uplinks 8 GB/s: the ring crosses between switches twice, one flow per
  // uplink direction -> min(10, 8); the switch's latency is inside the PCIe latency (uplinks add none).
  NodeSpec sw = kPcie4;
  sw.pcie_switches = 2;
  sw.pcie_switch_uplink_Bps = 8e9;
  l = group_link(sw, kPcie, {0, 1, 2, 3});
  CHECK(l.Bps == 8e9);
  CHECK(l.latency_s == Approx(2e-6));
  CHECK(l.hops == 4);
  CHECK(group_link(sw, kPcie, {0, 1}).hops == 2);  // same switch: turned around there
  CHECK(group_link(sw, kPcie, {0, 1}).Bps == 10e9);
  // Ring order 0,2,1,3 crosses four times: two flows on each uplink direction -> 15/2 < 10
  sw.pcie_switch_uplink_Bps = 15e9;
  CHECK(group_link(sw, kPcie, {0, 1, 2, 3}).Bps == 10e9);
  CHECK(group_link(sw, kPcie, {0, 2, 1, 3}).Bps == 7.5e9);
  // Two NVSwitch nodes, one 400 Gb/s (50 GB/s) NIC per GPU, 2 us per NIC
  NodeSpec two = kNvs8;
  two.node_count = 2;
  two.nic_Bps = 400e9 / 8;
  two.nic_latency_s = 2e-6;
  two.nics = "per_gpu";
  l = group_link(two, kSxm, {0, 8});
  CHECK(l.kind == "network");
  CHECK(l.Bps == 50e9);
  CHECK(l.latency_s == Approx(4e-6));
  CHECK(l.hops == 2);
  // 0->1 NVLink, 1->8 NIC(0,1) -> NIC(1,0), 8->9 NVLink, 9->0 NIC(1,1) -> NIC(0,0): one flow per NIC direction
  l = group_link(two, kSxm, {0, 1, 8, 9});
  CHECK(l.Bps == 50e9);
  CHECK(l.latency_s == Approx(4e-6));
  // One NIC per node: ring 0,8,1,9 puts two flows on each NIC direction
  two.nics = "per_node";
  CHECK(group_link(two, kSxm, {0, 8, 1, 9}).Bps == 25e9);
  CHECK(group_link(two, kSxm, {0, 1, 2, 3}).kind == "nvlink");  // inside node 0
  CHECK_THROWS_AS(group_link(two, kSxm, {0, 16}), Error);
}

// ---- Simulated collectives = closed forms on an idle platform -----------------------------------------
// alpha = path latency between consecutive ranks + step_s. NVSwitch: NVLink i UP (1 us) + NVLink j DOWN
// (1 us); PCIe root complex: PCIe i UP (1 us) + PCIe j DOWN (1 us). B: NVLink 100 GB/s or PCIe 10 GB/s,
// each GPU's link carries one flow per direction per ring step.

TEST_CASE("simulated ring all-reduce = 2(p-1)(alpha + n/(pB))", "[comm][sim]") {
  auto v = simulate(kNvs8, kSxm, [](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] { comm::ring_allreduce(p.gpus, 8e8, kStep); }));
    out.push_back(timed([&] { comm::ring_allreduce(first(p, 1), 8e8, kStep); }));  // p = 1: nothing
    out.push_back(timed([&] { comm::ring_allreduce(p.gpus, 0, kStep); }));          // no bytes: nothing
  });
  REQUIRE(v.size() == 3);
  CHECK(v[0] == Approx(comm::ring_allreduce_time(8, 8e8, 100e9, kAlpha2Hops)).epsilon(1e-9));
  CHECK(v[0] == Approx(14 * (7e-6 + 1e-3)).epsilon(1e-9));
  CHECK(v[1] == 0);
  CHECK(v[2] == 0);
  v = simulate(kPcie4, kPcie, [](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] { comm::ring_allreduce(p.gpus, 4e8, kStep); }));
  });
  const GroupLink l = group_link(kPcie4, kPcie, {0, 1, 2, 3});
  CHECK(v.at(0) == Approx(comm::ring_allreduce_time(4, 4e8, l.Bps, l.latency_s + kStep)).epsilon(1e-9));
  CHECK(v.at(0) == Approx(6 * (kAlpha2Hops + 1e8 / 10e9)).epsilon(1e-9));
}

TEST_CASE("simulated tree all-reduce = 2 ceil(log2 p)(alpha + n/B)", "[comm][sim]") {
  auto v = simulate(kNvs8, kSxm, [](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] { comm::tree_allreduce(p.gpus, 1e8, kStep); }));
    out.push_back(timed([&] { comm::tree_allreduce(first(p, 5), 1e8, kStep); }));  // 3 rounds each way
    // automatic with the platform's own hints: tiny -> tree, large -> ring
    const GroupLink l = group_link(kNvs8, kSxm, {0, 1, 2, 3, 4, 5, 6, 7});
    out.push_back(timed([&] { comm::allreduce(comm::AllReduceAlgo::automatic, p.gpus, 800, kStep, l.Bps, l.latency_s); }));
    out.push_back(timed([&] { comm::allreduce(comm::AllReduceAlgo::automatic, p.gpus, 8e8, kStep, l.Bps, l.latency_s); }));
  });
  REQUIRE(v.size() == 4);
  CHECK(v[0] == Approx(comm::tree_allreduce_time(8, 1e8, 100e9, kAlpha2Hops)).epsilon(1e-9));
  CHECK(v[0] == Approx(6 * (7e-6 + 1e-3)).epsilon(1e-9));
  CHECK(v[1] == Approx(6 * (7e-6 + 1e-3)).epsilon(1e-9));
  CHECK(v[2] == Approx(comm::tree_allreduce_time(8, 800, 100e9, kAlpha2Hops)).epsilon(1e-9));
  CHECK(v[3] == Approx(comm::ring_allreduce_time(8, 8e8, 100e9, kAlpha2Hops)).epsilon(1e-9));
  v = simulate(kPcie4, kPcie, [](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] { comm::tree_allreduce(p.gpus, 1e8, kStep); }));
  });
  CHECK(v.at(0) == Approx(comm::tree_allreduce_time(4, 1e8, 10e9, kAlpha2Hops)).epsilon(1e-9));
  CHECK(v.at(0) == Approx(4 * (7e-6 + 1e-2)).epsilon(1e-9));
}

TEST_CASE("simulated all-to-all = alpha + (p-1) n_pair / B", "[comm][sim]") {
  // Each GPU's link carries p-1 flows out (UP) and p-1 in (DOWN): every flow gets B/(p-1).
  auto uniform = [](int p, double n) {
    std::vector<std::vector<double>> m(static_cast<std::size_t>(p), std::vector<double>(static_cast<std::size_t>(p), n));
    for (int i = 0; i < p; ++i) m[static_cast<std::size_t>(i)][static_cast<std::size_t>(i)] = 0;
    return m;
  };
  auto v = simulate(kNvs8, kSxm, [&](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] { comm::all_to_all(p.gpus, uniform(8, 1e7), kStep); }));
    // only 0 -> 5 non-zero: the zero entries are skipped, a point-to-point remains
    std::vector<std::vector<double>> one(8, std::vector<double>(8, 0.0));
    one[0][5] = 1e7;
    out.push_back(timed([&] { comm::all_to_all(p.gpus, one, kStep); }));
    out.push_back(timed([&] { comm::all_to_all(p.gpus, uniform(8, 0), kStep); }));  // nothing to move
  });
  REQUIRE(v.size() == 3);
  CHECK(v[0] == Approx(comm::all_to_all_time(8, 1e7, 100e9, kAlpha2Hops)).epsilon(1e-9));
  CHECK(v[0] == Approx(7e-6 + 7 * 1e-4).epsilon(1e-9));
  CHECK(v[1] == Approx(comm::p2p_time(1e7, 100e9, kAlpha2Hops)).epsilon(1e-9));
  CHECK(v[2] == 0);
  v = simulate(kPcie4, kPcie, [&](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] { comm::all_to_all(p.gpus, uniform(4, 1e7), kStep); }));
  });
  CHECK(v.at(0) == Approx(comm::all_to_all_time(4, 1e7, 10e9, kAlpha2Hops)).epsilon(1e-9));
}

TEST_CASE("simulated all-gather = (p-1)(alpha + n/(pB))", "[comm][sim]") {
  auto v = simulate(kNvs8, kSxm, [](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] { comm::all_gather(p.gpus, 8e8, kStep); }));
  });
  CHECK(v.at(0) == Approx(comm::all_gather_time(8, 8e8, 100e9, kAlpha2Hops)).epsilon(1e-9));
  CHECK(v.at(0) == Approx(7 * (7e-6 + 1e-3)).epsilon(1e-9));
  v = simulate(kPcie4, kPcie, [](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] { comm::all_gather(p.gpus, 4e8, kStep); }));
  });
  CHECK(v.at(0) == Approx(comm::all_gather_time(4, 4e8, 10e9, kAlpha2Hops)).epsilon(1e-9));
}

TEST_CASE("simulated point-to-point = alpha + n/B", "[comm][sim]") {
  auto v = simulate(kNvs8, kSxm, [](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] { comm::p2p(p.gpus[2], p.gpus[6], 1e8, kStep); }));
    out.push_back(timed([&] { comm::p2p(p.gpus[2], p.gpus[6], 0, kStep); }));
    out.push_back(timed([&] { comm::p2p(p.gpus[3], p.cpu, 1e8, 0); }));  // D2H: PCIe 3 UP, 1 us + n / 10 GB/s
  });
  REQUIRE(v.size() == 3);
  CHECK(v[0] == Approx(comm::p2p_time(1e8, 100e9, kAlpha2Hops)).epsilon(1e-9));
  CHECK(v[1] == 0);
  CHECK(v[2] == Approx(1e-6 + 1e-2).epsilon(1e-9));
  v = simulate(kPcie4, kPcie, [](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] { comm::p2p(p.gpus[0], p.gpus[3], 1e8, kStep); }));
  });
  CHECK(v.at(0) == Approx(comm::p2p_time(1e8, 10e9, kAlpha2Hops)).epsilon(1e-9));
}

// ---- Contention ----------------------------------------------------------------------------------------

TEST_CASE("contention: four GPU->CPU copies share one PCIe switch uplink", "[comm][sim]") {
  // 4 GPUs under 1 switch; PCIe 25 GB/s per GPU, uplink U = 50 GB/s. Alone a copy runs at
  // min(25, 50) = 25 GB/s: 1 us + n/25e9. Four at once: the uplink gives each U/4 = 12.5 GB/s (max-min,
  // below the GPUs' own 25): 1 us + 4n/U. The uplink adds no latency of its own.
  NodeSpec n = node("pcie", 4);
  n.pcie_switches = 1;
  n.pcie_switch_uplink_Bps = 50e9;
  const GpuCard g = card(25e9, 0);
  const double bytes = 1e8;
  auto v = simulate(n, g, [&](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] { comm::p2p(p.gpus[1], p.cpu, bytes, 0); }));
    out.push_back(timed([&] {
      std::vector<sg4::CommPtr> c;
      for (auto* gpu : p.gpus) c.push_back(sg4::Comm::sendto_async(gpu, p.cpu, static_cast<uint64_t>(bytes)));
      sg4::Comm::wait_all(c);
    }));
  });
  REQUIRE(v.size() == 2);
  CHECK(v[0] == Approx(1e-6 + bytes / 25e9).epsilon(1e-9));
  CHECK(v[1] == Approx(1e-6 + 4 * bytes / 50e9).epsilon(1e-9));
}

TEST_CASE("contention: two 2-GPU rings on the root complex, disjoint and sharing a GPU", "[comm][sim]") {
  // 4 GPUs straight on the root complex, PCIe 10 GB/s and 1 us. A ring all-reduce of 2 ranks is 2 steps of
  // n/2 over PCIe i UP + PCIe j DOWN: 2 (2 us + n/2 / 10e9), with step_s = 0.
  // Rings {0,1} and {2,3} at once use disjoint links: each takes exactly as long as alone.
  // Rings {0,1} and {0,2} at once (GPU 0 in both, e.g. a TP and a DP group): PCIe 0 carries two flows each
  // way, each gets 5 GB/s and the other links follow (max-min): 2 (2 us + n/2 / 5e9) for both rings.
  const double n = 1e8;
  auto v = simulate(kPcie4, kPcie, [&](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] { comm::ring_allreduce({p.gpus[0], p.gpus[1]}, n, 0); }));
    auto both = [&](std::vector<sg4::Host*> a, std::vector<sg4::Host*> b) {
      double ta = 0, tb = 0;
      const double t0 = sg4::Engine::get_clock();
      auto x = sg4::Actor::create("ring_a", p.cpu, [&, a] { comm::ring_allreduce(a, n, 0); ta = sg4::Engine::get_clock() - t0; });
      auto y = sg4::Actor::create("ring_b", p.cpu, [&, b] { comm::ring_allreduce(b, n, 0); tb = sg4::Engine::get_clock() - t0; });
      x->join();
      y->join();
      out.push_back(ta);
      out.push_back(tb);
    };
    both({p.gpus[0], p.gpus[1]}, {p.gpus[2], p.gpus[3]});
    both({p.gpus[0], p.gpus[1]}, {p.gpus[0], p.gpus[2]});
  });
  REQUIRE(v.size() == 5);
  const double alone = 2 * (2e-6 + n / 2 / 10e9);
  CHECK(v[0] == Approx(alone).epsilon(1e-9));
  CHECK(v[1] == Approx(alone).epsilon(1e-9));
  CHECK(v[2] == Approx(alone).epsilon(1e-9));
  CHECK(v[3] == Approx(2 * (2e-6 + n / 2 / 5e9)).epsilon(1e-9));
  CHECK(v[4] == Approx(2 * (2e-6 + n / 2 / 5e9)).epsilon(1e-9));
}

// ---- Several nodes ----------------------------------------------------------------------------------------

TEST_CASE("two nodes: point-to-point through the NICs, no network throws", "[comm][sim]") {
  // 2 x 2 NVSwitch GPUs, one 100 Gb/s (12.5 GB/s) NIC per GPU, 2 us per NIC: GPU 0 of node 0 -> GPU 1 of
  // node 1 crosses NIC(0,0) UP and NIC(1,1) DOWN: 2 x 2 us + n / 12.5e9.
  NodeSpec n = node("nvswitch", 2);
  n.node_count = 2;
  n.nic_Bps = 100e9 / 8;
  n.nic_latency_s = 2e-6;
  n.nics = "per_gpu";
  auto v = simulate(n, kSxm, [](const Platform& p, std::vector<double>& out) {
    out.push_back(static_cast<double>(p.cpus.size()));
    out.push_back(static_cast<double>(p.gpus.size()));
    out.push_back(timed([&] { comm::p2p(p.gpus[0], p.gpus[3], 1e8, 0); }));
    out.push_back(timed([&] { comm::p2p(p.gpus[0], p.gpus[1], 1e8, 0); }));  // same node: NVLink
    out.push_back(timed([&] { comm::p2p(p.cpus[0], p.cpus[1], 1e8, 0); }));  // CPUs: NIC 0 of each node
    // both GPUs of node 0 to node 1 at once: their own NICs, no sharing
    out.push_back(timed([&] {
      sg4::Comm::wait_all({sg4::Comm::sendto_async(p.gpus[0], p.gpus[2], 100000000), sg4::Comm::sendto_async(p.gpus[1], p.gpus[3], 100000000)});
    }));
  });
  REQUIRE(v.size() == 6);
  CHECK(v[0] == 2);
  CHECK(v[1] == 4);
  CHECK(v[2] == Approx(4e-6 + 1e8 / 12.5e9).epsilon(1e-9));
  CHECK(v[3] == Approx(2e-6 + 1e8 / 100e9).epsilon(1e-9));
  CHECK(v[4] == Approx(4e-6 + 1e8 / 12.5e9).epsilon(1e-9));
  CHECK(v[5] == Approx(4e-6 + 1e8 / 12.5e9).epsilon(1e-9));

  // One NIC per node: the same two transfers share it, 12.5 / 2 GB/s each
  n.nics = "per_node";
  v = simulate(n, kSxm, [](const Platform& p, std::vector<double>& out) {
    out.push_back(timed([&] {
      sg4::Comm::wait_all({sg4::Comm::sendto_async(p.gpus[0], p.gpus[2], 100000000), sg4::Comm::sendto_async(p.gpus[1], p.gpus[3], 100000000)});
    }));
  });
  CHECK(v.at(0) == Approx(4e-6 + 2 * 1e8 / 12.5e9).epsilon(1e-9));

  NodeSpec lonely = node("nvswitch", 2);
  lonely.id = "lonely";
  lonely.node_count = 2;
  ChildResult r = in_child([&] {
    auto engine = create_engine();
    build_platform(*engine, lonely, kSxm);
    return std::vector<double>{};
  });
  CHECK_THAT(r.error, Catch::Contains("node lonely has no inter-node network (nic_Gbps)"));
}

// ---- Node files --------------------------------------------------------------------------------------------

TEST_CASE("node files: PCIe switches and network keys", "[comm][config]") {
  const std::string base = R"(id = "t"
name = "test"
gpu = "rtx-4090"
gpu_count = 4
interconnect = "pcie"
host_power_w = 100
)";
  NodeSpec n = load_node_spec(write_test_file("comm_node_ok.toml", base + R"(pcie_switches = 2
pcie_switch_uplink_GBps = 32
nic_Gbps = 400
nic_latency_us = 3
nics = "per_gpu"
network_name = "InfiniBand NDR"
)"));
  CHECK(n.pcie_switches == 2);
  CHECK(n.pcie_switch_uplink_Bps == 32e9);
  CHECK(n.nic_Bps == 50e9);  // 400 Gb/s
  CHECK(n.nic_latency_s == Approx(3e-6));
  CHECK(n.nics == "per_gpu");
  CHECK(n.network_name == "InfiniBand NDR");
  CHECK(n.switch_of(1) == 0);
  CHECK(n.switch_of(2) == 1);
  CHECK(n.node_count == 1);
  n.node_count = 3;
  CHECK(n.total_gpus() == 12);

  NodeSpec d = load_node_spec(write_test_file("comm_node_default.toml", base));
  CHECK(d.pcie_switches == 0);
  CHECK_FALSE(d.has_network());
  CHECK(d.nic_latency_s == Approx(2e-6));
  CHECK(d.nics == "per_node");

  auto error = [&](const std::string& name, const std::string& extra) {
    try {
      load_node_spec(write_test_file(name, base + extra));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(error("comm_typo.toml", "nic_Gbsp = 400\n"), Catch::Contains("unknown key 'nic_Gbsp'; did you mean 'nic_Gbps'?"));
  CHECK_THAT(error("comm_nouplink.toml", "pcie_switches = 2\n"), Catch::Contains("needs pcie_switch_uplink_GBps"));
  CHECK_THAT(error("comm_uneven.toml", "pcie_switches = 3\npcie_switch_uplink_GBps = 32\n"), Catch::Contains("split evenly"));
  CHECK_THAT(error("comm_nics.toml", "nic_Gbps = 100\nnics = \"per_rack\"\n"), Catch::Contains("'per_rack' is not one of per_gpu, per_node"));
  CHECK_THAT(error("comm_nonic.toml", "nics = \"per_gpu\"\n"), Catch::Contains("no network without nic_Gbps"));
}

TEST_CASE("shipped node files: networks and PCIe trees", "[comm][config]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  NodeSpec dgx = cat.node("dgx-8xh100-sxm");
  CHECK(dgx.nics == "per_gpu");
  CHECK(dgx.nic_Bps == 50e9);
  CHECK(dgx.pcie_switches == 4);
  NodeSpec h200 = cat.node("hgx-8xh200");
  CHECK(h200.gpu == "h200-sxm");
  CHECK(h200.nics == "per_gpu");
  CHECK(h200.nic_Bps == 50e9);
  NodeSpec p4d = cat.node("p4d-8xa100-40g");
  CHECK(p4d.nic_Bps == 50e9);
  CHECK(p4d.pcie_switches == 4);
  NodeSpec g5 = cat.node("g5-12xlarge-4xa10g");
  CHECK(g5.nic_Bps == 5e9);
  NodeSpec ws = cat.node("pcie-host-2x-rtx-4090");
  CHECK(ws.gpu_count == 2);
  CHECK(ws.pcie_switches == 0);
  CHECK_FALSE(ws.has_network());
  // Every shipped node describes a valid tree: a group of all its GPUs has a bottleneck
  for (const auto& id : cat.node_ids()) {
    INFO(id);
    NodeSpec nd = cat.node(id);
    std::vector<int> all;
    for (int i = 0; i < nd.gpu_count; ++i) all.push_back(i);
    CHECK(group_link(nd, cat.gpu(nd.gpu), all).Bps > 0);
  }
}

TEST_CASE("CXL memory: the expanders' link first, then the host's way to the GPU, the node's GPUs share it", "[comm][sim]") {
  NodeSpec n = kPcie4;
  n.pcie_switches = 2;
  n.pcie_switch_uplink_Bps = 100e9;  // wide uplinks: the expanders are the bottleneck
  n.cxl_expanders = 2;
  n.cxl_Bps = 10e9;                  // 20 GB/s together
  n.cxl_latency_s = 250e-9;
  const std::vector<Hop> r = cxl_route(n, kPcie, 0, 3);
  REQUIRE(r.size() == 3);
  CHECK(r[0].link == "cxl");
  CHECK(r[0].Bps == 20e9);
  CHECK(r[0].latency_s == 250e-9);
  CHECK(r[1].link == "uplink1");
  CHECK_FALSE(r[1].up);
  CHECK(r[2].link == "pcie3");
  CHECK_FALSE(r[2].up);
  // One GPU alone streams at its PCIe link's 10 GB/s; all four at once share the expanders' 20 GB/s.
  auto v = simulate(n, kPcie, [](const Platform& p, std::vector<double>& out) {
    REQUIRE(p.cxls.size() == 1);
    out.push_back(timed([&] { sg4::Comm::sendto(p.cxls[0], p.gpus[3], 1e9); }));
    out.push_back(timed([&] {
      std::vector<sg4::CommPtr> c;
      for (sg4::Host* g : p.gpus) c.push_back(sg4::Comm::sendto_async(p.cxls[0], g, 1e9));
      for (auto& x : c) x->wait();
    }));
  });
  REQUIRE(v.size() == 2);
  CHECK(v[0] == Approx(250e-9 + 1e-6 + 1e9 / 10e9).epsilon(1e-6));
  CHECK(v[1] == Approx(250e-9 + 1e-6 + 1e9 / 5e9).epsilon(1e-6));
}
