#pragma once
#include <optional>
#include <string>
#include <vector>

#include "comm/collectives.hpp"

namespace dssim {

enum class Policy { static_batch, adaptive, continuous, chunked };
enum class Router { round_robin, least_outstanding };

Policy parse_policy(const std::string& name, const std::string& where);
std::string to_string(Policy p);
Router parse_router(const std::string& name, const std::string& where);
std::string to_string(Router r);
std::vector<std::string> policy_names();
std::vector<std::string> router_names();

struct ServingConfig {
  Policy policy = Policy::continuous;
  int max_batch = 256;                 // sequences in one iteration
  long long max_batched_tokens = 8192; // continuous: new tokens in one prefill iteration
  long long token_budget = 512;        // chunked: tokens (decodes + prefill chunks) per iteration
  long long block_size = 16;           // KV cache block, tokens
  int replicas = 1;
  comm::AllReduceAlgo allreduce = comm::AllReduceAlgo::automatic;  // auto: the faster closed form, as NCCL's tuner
  Router router = Router::round_robin;
  // the article's adaptive_batching(queue_length, max_batch)
  int adaptive_high = 16;   // queue > high: min(queue, max_batch)
  int adaptive_mid = 8;     // queue > mid: queue // 2 + mid
  int adaptive_low = 4;     // else: low
  std::optional<double> slo_ttft_s, slo_tpot_s;
};

// The article's adaptive_batching, never more than are waiting.
int adaptive_batch_size(int queue_length, const ServingConfig& c);

}  // namespace dssim
