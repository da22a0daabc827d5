#include "comm/collectives.hpp"

#include <cmath>
#include <cstdint>

#include "util/error.hpp"

namespace sg4 = simgrid::s4u;

namespace dssim::comm {

namespace {

int ceil_log2(int p) {
  int k = 0;
  while ((1 << k) < p) ++k;
  return k;
}

void check_B(double B) {
  if (!(B > 0)) throw Error("internal: collective cost with a bandwidth <= 0", ExitCode::internal);
}

struct Transfer {
  sg4::Host* src;
  sg4::Host* dst;
  double bytes;
};

// One step: every transfer at once, wait for all, then the software latency.
void step(const std::vector<Transfer>& transfers, double step_s) {
  std::vector<sg4::CommPtr> comms;
  comms.reserve(transfers.size());
  for (const Transfer& t : transfers) {
    const auto b = static_cast<uint64_t>(std::llround(t.bytes));
    if (b == 0 || t.src == t.dst) continue;
    comms.push_back(sg4::Comm::sendto_async(t.src, t.dst, b));
  }
  if (comms.empty()) return;
  sg4::Comm::wait_all(comms);
  if (step_s > 0) sg4::this_actor::sleep_for(step_s);
}

void ring_steps(const std::vector<sg4::Host*>& ranks, double chunk, int steps, double step_s) {
  const std::size_t p = ranks.size();
  std::vector<Transfer> ring;
  for (std::size_t r = 0; r < p; ++r) ring.push_back({ranks[r], ranks[(r + 1) % p], chunk});
  for (int s = 0; s < steps; ++s) step(ring, step_s);
}

}  // namespace

double ring_allreduce_time(int p, double n, double B, double alpha) {
  if (p <= 1 || n <= 0) return 0;
  check_B(B);
  return 2.0 * (p - 1) * (alpha + n / (p * B));
}

double tree_allreduce_time(int p, double n, double B, double alpha) {
  if (p <= 1 || n <= 0) return 0;
  check_B(B);
  return 2.0 * ceil_log2(p) * (alpha + n / B);
}

AllReduceAlgo parse_allreduce(const std::string& name, const std::string& where) {
  if (name == "ring") return AllReduceAlgo::ring;
  if (name == "tree") return AllReduceAlgo::tree;
  if (name == "auto") return AllReduceAlgo::automatic;
  throw Error(where + ": '" + name + "': expected ring, tree or auto");
}

AllReduceAlgo choose_allreduce(int p, double n, double B, double alpha) {
  return tree_allreduce_time(p, n, B, alpha) < ring_allreduce_time(p, n, B, alpha) ? AllReduceAlgo::tree
                                                                                  : AllReduceAlgo::ring;
}

double allreduce_time(AllReduceAlgo a, int p, double n, double B, double alpha) {
  if (a == AllReduceAlgo::automatic) a = choose_allreduce(p, n, B, alpha);
  return a == AllReduceAlgo::tree ? tree_allreduce_time(p, n, B, alpha) : ring_allreduce_time(p, n, B, alpha);
}

double all_to_all_time(int p, double n_pair, double B, double alpha) {
  if (p <= 1 || n_pair <= 0) return 0;
  check_B(B);
  return alpha + (p - 1) * n_pair / B;
}

double all_gather_time(int p, double n, double B, double alpha) {
  if (p <= 1 || n <= 0) return 0;
  check_B(B);
  return (p - 1) * (alpha + n / (p * B));
}

double p2p_time(double n, double B, double alpha) {
  if (n <= 0) return 0;
  check_B(B);
  return alpha + n / B;
}

void ring_allreduce(const std::vector<sg4::Host*>& ranks, double bytes, double step_s) {
  const int p = static_cast<int>(ranks.size());
  if (p <= 1 || bytes <= 0) return;
  ring_steps(ranks, bytes / p, 2 * (p - 1), step_s);
}

void tree_allreduce(const std::vector<sg4::Host*>& ranks, double bytes, double step_s) {
  const int p = static_cast<int>(ranks.size());
  if (p <= 1 || bytes <= 0) return;
  const int rounds = ceil_log2(p);
  auto round = [&](int k, bool reduce) {
    const int d = 1 << k;
    std::vector<Transfer> t;
    for (int r = d; r < p; r += 2 * d)  // r mod 2d == d: the child of r - d in round k
      t.push_back(reduce ? Transfer{ranks[r], ranks[r - d], bytes} : Transfer{ranks[r - d], ranks[r], bytes});
    step(t, step_s);
  };
  for (int k = 0; k < rounds; ++k) round(k, true);
  for (int k = rounds - 1; k >= 0; --k) round(k, false);
}

void allreduce(AllReduceAlgo a, const std::vector<sg4::Host*>& ranks, double bytes, double step_s, double Bps_hint,
               double latency_hint) {
  const int p = static_cast<int>(ranks.size());
  if (p <= 1 || bytes <= 0) return;
  if (a == AllReduceAlgo::automatic) a = choose_allreduce(p, bytes, Bps_hint, latency_hint + step_s);
  if (a == AllReduceAlgo::tree)
    tree_allreduce(ranks, bytes, step_s);
  else
    ring_allreduce(ranks, bytes, step_s);
}

void all_to_all(const std::vector<sg4::Host*>& ranks, const std::vector<std::vector<double>>& bytes, double step_s) {
  const std::size_t p = ranks.size();
  if (p <= 1) return;
  if (bytes.size() != p) throw Error("internal: all_to_all matrix is not p x p", ExitCode::internal);
  std::vector<Transfer> t;
  for (std::size_t s = 0; s < p; ++s) {
    if (bytes[s].size() != p) throw Error("internal: all_to_all matrix is not p x p", ExitCode::internal);
    for (std::size_t d = 0; d < p; ++d)
      if (s != d && bytes[s][d] > 0) t.push_back({ranks[s], ranks[d], bytes[s][d]});
  }
  step(t, step_s);
}

void all_gather(const std::vector<sg4::Host*>& ranks, double bytes, double step_s) {
  const int p = static_cast<int>(ranks.size());
  if (p <= 1 || bytes <= 0) return;
  ring_steps(ranks, bytes / p, p - 1, step_s);
}

void p2p(sg4::Host* src, sg4::Host* dst, double bytes, double step_s) {
  if (bytes <= 0 || src == dst) return;
  step({{src, dst, bytes}}, step_s);
}

}  // namespace dssim::comm
