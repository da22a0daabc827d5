#pragma once
// How requests are served: the batch policy (serving/batch_policy) and the settings every policy
// shares, as [serving] declares them.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "comm/collectives.hpp"
#include "serving/batch_policy.hpp"

namespace dssim {

enum class Router { round_robin, least_outstanding, prefix_aware };
Router parse_router(const std::string& name, const std::string& where);
std::string to_string(Router r);
std::vector<std::string> router_names();

// Speculative decoding: each decode step verifies `tokens` drafted tokens in one target pass and keeps
// the accepted prefix plus one token of its own; each drafted token is accepted with probability
// `acceptance` (independently, as Leviathan et al. model it).
struct Speculation {
  enum class Method { none, mtp, draft } method = Method::none;
  int tokens = 1;                  // k: drafted tokens per step
  double acceptance = 0.85;        // per drafted token
  std::string draft_model;         // method draft: a model id
  std::string draft_weights;       // method draft: its weight precision ("": the target's)
  unsigned long long seed = 1;     // acceptance draws
  bool on() const { return method != Method::none; }
  // Tokens one step emits on average: sum_{i=0..k} a^i = (1 - a^(k+1)) / (1 - a).
  double expected_tokens() const;
};

struct ServingConfig {
  // The batch policy with its settings, shared read-only; each replica runs its own clone. Null: the
  // default, continuous batching.
  std::shared_ptr<const BatchPolicy> policy;
  int max_batch = 256;                 // sequences in one iteration
  long long block_size = 16;           // KV cache block, tokens
  int replicas = 1;
  comm::AllReduceAlgo allreduce = comm::AllReduceAlgo::automatic;  // auto: the faster closed form, as NCCL's tuner
  Router router = Router::round_robin;
  int router_balance_slack = 32;       // prefix_aware: outstanding requests above the least loaded it tolerates
  std::optional<double> slo_ttft_s, slo_tpot_s;
  // The serving loop around the model, as a server runs it (0 / empty: an ideal loop):
  std::vector<long long> graph_batch_sizes;  // CUDA graphs captured for these batch sizes: a decode step
                                             // runs the smallest >= its batch (padding rows cost as real
                                             // ones); above the largest it runs eager. Empty: every size.
  long long graph_context_bucket = 0;        // captured graphs attend to the longest context rounded up to
                                             // a multiple of this, for every row (masked)
  double step_overhead_s = 0;                // host time per iteration after the GPU: sync, sampling, loop
  double prefill_overhead_s = 0;             // host time per iteration with a prefill beyond its ops
  // Prefix caching (serving/prefix_cache): a GPU tier in the KV pool's free blocks, and optional host-
  // memory and SSD tiers per replica; blocks of `prefix_block_tokens` tokens, as the trace hashed them.
  bool prefix_cache = false;
  double prefix_host_bytes = 0, prefix_ssd_bytes = 0;
  double ssd_read_Bps = 0;              // 0: the node file's ssd_read_GBps
  long long prefix_block_tokens = 512;  // [workload] hash_block_tokens
  Speculation speculation;
  // Prefill/decode disaggregation: a prefill pool and a decode pool of whole replicas (0: colocated).
  // Their tensor/expert parallel degrees (0: the scenario's tensor_parallel / expert_parallel).
  int prefill_replicas = 0, decode_replicas = 0;
  int prefill_tp = 0, prefill_ep = 0, decode_tp = 0, decode_ep = 0;
  bool disaggregated() const { return prefill_replicas > 0; }
  const BatchPolicy& batch_policy() const;
};

class TomlTable;
// Reads the policy (and its own keys) and the shared serving keys of [serving]: block_size,
// replicas/data_parallel, allreduce, router, the SLOs. Declared in serving/serving_config.cpp.
void read_serving(TomlTable& sv, ServingConfig& c);

}  // namespace dssim
