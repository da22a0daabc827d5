#pragma once
// Collective communication between GPUs: closed forms (alpha-beta cost models) and simulated versions
// that move the bytes on the platform's links (sim/hw/platform.hpp). See docs/collectives.md.
//
// Notation of the closed forms: p ranks, n bytes of the buffer, B the per-direction bandwidth of the
// bottleneck link (group_link(...).Bps), alpha the per-step latency = path latency between consecutive
// ranks (group_link(...).latency_s) + a software per-step latency step_s. p <= 1 or n <= 0 costs 0.
#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

namespace dssim::comm {

enum class AllReduceAlgo { ring, tree, automatic };

// Ring all-reduce (reduce-scatter then all-gather): 2(p-1) * (alpha + n/(p*B)).
double ring_allreduce_time(int p, double n, double B, double alpha);
// Binary-tree all-reduce, reduce to the root then broadcast, not pipelined: 2*ceil(log2 p) * (alpha + n/B).
double tree_allreduce_time(int p, double n, double B, double alpha);
// `automatic` takes the smaller of the two closed forms (NCCL's tuner also picks ring or tree by message
// size from its own cost model: trees for small messages, rings for large ones). Ties go to the ring.
AllReduceAlgo choose_allreduce(int p, double n, double B, double alpha);
// "ring" | "tree" | "auto"; anything else throws an Error naming `where`.
AllReduceAlgo parse_allreduce(const std::string& name, const std::string& where);
double allreduce_time(AllReduceAlgo a, int p, double n, double B, double alpha);
// Every rank sends n_pair bytes to every other rank at once, each rank's port the bottleneck
// (full-bisection switch): alpha + (p-1)*n_pair/B.
double all_to_all_time(int p, double n_pair, double B, double alpha);
// Ring all-gather of a gathered total of n bytes (n/p from each rank): (p-1) * (alpha + n/(p*B)).
double all_gather_time(int p, double n, double B, double alpha);
// One transfer: alpha + n/B (0 when n <= 0).
double p2p_time(double n, double B, double alpha);

// Simulated collectives: call from inside one SimGrid actor; they block it until the last transfer
// of the last step is done. Each step starts all its transfers at once (Comm::sendto_async, no
// receiving actor: DMA-like copies), waits for all of them, then sleeps step_s (software latency).
// p == 1 or bytes == 0: return at once. Byte counts are rounded to whole bytes per transfer.
void ring_allreduce(const std::vector<simgrid::s4u::Host*>& ranks, double bytes, double step_s);
// Scheduled as a binomial tree: in reduce round k rank r with r mod 2^(k+1) == 2^k sends its partial
// buffer to r - 2^k; the broadcast runs the rounds backwards. Each rank sends and receives at most one
// buffer per round, so a round costs alpha + n/B on a full-bisection switch.
void tree_allreduce(const std::vector<simgrid::s4u::Host*>& ranks, double bytes, double step_s);
// `automatic` picks by the closed forms with B = Bps_hint and alpha = latency_hint + step_s
// (group_link(...).Bps and .latency_s).
void allreduce(AllReduceAlgo a, const std::vector<simgrid::s4u::Host*>& ranks, double bytes, double step_s,
               double Bps_hint, double latency_hint);
// One step: bytes[src][dst] from rank src to rank dst, all at once; zero entries and the diagonal are skipped.
void all_to_all(const std::vector<simgrid::s4u::Host*>& ranks, const std::vector<std::vector<double>>& bytes,
                double step_s);
// Ring all-gather of a gathered total of `bytes`: p-1 steps of bytes/p from each rank to the next.
void all_gather(const std::vector<simgrid::s4u::Host*>& ranks, double bytes, double step_s);
void p2p(simgrid::s4u::Host* src, simgrid::s4u::Host* dst, double bytes, double step_s);

}  // namespace dssim::comm
