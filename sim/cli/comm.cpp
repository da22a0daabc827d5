// `dssim comm --node ID --op allreduce --gpus 8 --bytes 1K,1M,1G`: what one collective costs on a
// platform, as the closed form the serving model uses and as the transfers the kernel-level engine
// runs (both with the runtime's per-step latency and payload share), for comparison with nccl-tests.
#include <boost/program_options.hpp>
#include <simgrid/s4u.hpp>

#include <cmath>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "comm/collectives.hpp"
#include "config/catalog.hpp"
#include "hw/engine.hpp"
#include "hw/platform.hpp"
#include "run/run_inputs.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace po = boost::program_options;
namespace sg4 = simgrid::s4u;

namespace dssim {

namespace {

// "64", "4K", "16M", "1G" (binary multiples, as nccl-tests prints sizes).
double parse_size(const std::string& s) {
  if (s.empty()) throw Error("--bytes: an empty size; expected e.g. 64,4K,16M,1G");
  double mult = 1;
  std::string num = s;
  const char last = static_cast<char>(std::toupper(static_cast<unsigned char>(s.back())));
  if (last == 'K' || last == 'M' || last == 'G') {
    mult = last == 'K' ? 1024.0 : last == 'M' ? 1024.0 * 1024 : 1024.0 * 1024 * 1024;
    num = s.substr(0, s.size() - 1);
  }
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(num, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != num.size() || !(v > 0) || !std::isfinite(v))
    throw Error(fmt("--bytes: '%s' is not a size; expected a positive number with an optional K, M or G", s.c_str()));
  return v * mult;
}

}  // namespace

int cmd_comm(const std::vector<std::string>& args) {
  std::string node_id, op = "allreduce", algo_name = "auto", sizes = "8,1K,64K,1M,16M,256M,1G", runtime = kDefaultRuntime,
              format = "text";
  int gpus = 0, nodes = 1;
  po::options_description desc("comm options");
  desc.add_options()("node", po::value(&node_id)->required(), "node file id")(
      "nodes", po::value(&nodes), "copies of the node (default 1)")(
      "gpus", po::value(&gpus), "ranks: the first N GPUs of the platform (default: all)")(
      "op", po::value(&op), "allreduce | allgather | alltoall | p2p")("algo", po::value(&algo_name), "ring | tree | auto")(
      "bytes", po::value(&sizes), "comma-separated buffer sizes (K, M, G: binary)")(
      "runtime", po::value(&runtime), "runtime profile (per-step latency, payload share)")(
      "format", po::value(&format), "text or csv");
  parse_options(args, desc, nullptr, "comm");
  if (op != "allreduce" && op != "allgather" && op != "alltoall" && op != "p2p")
    throw Error(fmt("--op '%s': expected allreduce, allgather, alltoall or p2p", op.c_str()));
  if (format != "text" && format != "csv") throw Error(fmt("--format '%s': expected text or csv", format.c_str()));
  const comm::AllReduceAlgo algo = comm::parse_allreduce(algo_name, "--algo");
  if (nodes < 1) throw Error(fmt("--nodes must be at least 1, got %d", nodes));
  Catalog cat = Catalog::from_environment();
  NodeSpec node = cat.node(node_id);
  node.node_count = nodes;
  if (static_cast<long long>(node.gpu_count) * nodes > kMaxPlatformGpus)
    throw Error(fmt("--nodes %d: %d nodes of %d GPUs is more than the %d GPUs dssim simulates in one platform", nodes,
                    nodes, node.gpu_count, kMaxPlatformGpus));
  const GpuCard gpu = cat.gpu(node.gpu);
  const RuntimeProfile rt = cat.runtime(runtime);
  if (gpus == 0) gpus = node.total_gpus();
  if (gpus < 2 || gpus > node.total_gpus())
    throw Error(fmt("--gpus %d: a collective needs 2 to %d GPUs on this platform", gpus, node.total_gpus()));
  if (op == "p2p") gpus = 2;
  std::vector<double> bytes;
  for (const auto& s : split(sizes, ',')) bytes.push_back(parse_size(trim(s)));

  std::vector<int> idx;
  for (int i = 0; i < gpus; ++i) idx.push_back(i);
  if (op == "p2p") idx = {0, node.total_gpus() - 1};  // the farthest pair: across nodes when there are several
  const GroupLink link = group_link(node, gpu, idx);
  const double eff = rt.collective_bandwidth_efficiency, step = rt.collective_step_s;
  const double alpha = link.latency_s + step;
  auto closed = [&](double n) {
    const double wire = n / eff;
    if (op == "allreduce") return comm::allreduce_time(algo, gpus, wire, link.Bps, alpha);
    if (op == "allgather") return comm::all_gather_time(gpus, wire, link.Bps, alpha);
    if (op == "alltoall") return comm::all_to_all_time(gpus, wire / gpus, link.Bps, alpha);
    return comm::p2p_time(wire, link.Bps, alpha);
  };

  // One engine: a single actor runs every size back to back and times each.
  std::vector<double> simulated(bytes.size());
  {
    auto engine = create_engine();
    Platform pf = build_platform(*engine, node, gpu);
    std::vector<sg4::Host*> hosts;
    for (int i : idx) hosts.push_back(pf.gpus[static_cast<std::size_t>(i)]);
    ActorFailure failure;
    sg4::Actor::create("comm", pf.cpu, failure.guarded([&] {
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        const double wire = bytes[i] / eff, t0 = sg4::Engine::get_clock();
        if (op == "allreduce") {
          comm::allreduce(algo, hosts, wire, step, link.Bps, link.latency_s);
        } else if (op == "allgather") {
          comm::all_gather(hosts, wire, step);
        } else if (op == "alltoall") {
          std::vector<std::vector<double>> m(hosts.size(), std::vector<double>(hosts.size(), wire / gpus));
          comm::all_to_all(hosts, m, step);
        } else {
          comm::p2p(hosts[0], hosts[1], wire, step);
        }
        simulated[i] = sg4::Engine::get_clock() - t0;
      }
    }));
    failure.run_guarded(*engine);
  }

  // nccl-tests' bus bandwidth: algbw times 2(p-1)/p for all-reduce, (p-1)/p for all-gather/all-to-all.
  const double p = gpus;
  const double bus = op == "allreduce" ? 2 * (p - 1) / p : op == "p2p" ? 1.0 : (p - 1) / p;
  if (format == "csv") {
    std::cout << "bytes,closed_form_us,simulated_us,algbw_GBps,busbw_GBps\n";
    for (std::size_t i = 0; i < bytes.size(); ++i)
      std::cout << fmt("%.0f,%.4f,%.4f,%.3f,%.3f\n", bytes[i], closed(bytes[i]) * 1e6, simulated[i] * 1e6,
                       bytes[i] / simulated[i] / 1e9, bytes[i] / simulated[i] / 1e9 * bus);
    return 0;
  }
  std::cout << fmt("dssim comm | %s over %d x %s of %s%s: %s link %.0f GB/s per direction, %.2f us per step "
                   "(path %.2f + software %.2f), payload share %.2f\n\n",
                   op.c_str(), gpus, gpu.id.c_str(), node.id.c_str(), nodes > 1 ? fmt(" x %d nodes", nodes).c_str() : "",
                   link.kind.c_str(), link.Bps / 1e9, alpha * 1e6, link.latency_s * 1e6, step * 1e6, eff);
  std::cout << "       bytes   closed form us   simulated us   algbw GB/s   busbw GB/s\n";
  for (std::size_t i = 0; i < bytes.size(); ++i)
    std::cout << fmt("%12.0f %16.2f %14.2f %12.2f %12.2f\n", bytes[i], closed(bytes[i]) * 1e6, simulated[i] * 1e6,
                     bytes[i] / simulated[i] / 1e9, bytes[i] / simulated[i] / 1e9 * bus);
  return 0;
}

}  // namespace dssim
