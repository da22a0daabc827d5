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

enum class Router { round_robin, least_outstanding };
Router parse_router(const std::string& name, const std::string& where);
std::string to_string(Router r);
std::vector<std::string> router_names();

struct ServingConfig {
  // The batch policy with its settings, shared read-only; each replica runs its own clone. Null: the
  // default, continuous batching.
  std::shared_ptr<const BatchPolicy> policy;
  int max_batch = 256;                 // sequences in one iteration
  long long block_size = 16;           // KV cache block, tokens
  int replicas = 1;
  comm::AllReduceAlgo allreduce = comm::AllReduceAlgo::automatic;  // auto: the faster closed form, as NCCL's tuner
  Router router = Router::round_robin;
  std::optional<double> slo_ttft_s, slo_tpot_s;
  const BatchPolicy& batch_policy() const;
};

class TomlTable;
// Reads the policy (and its own keys) and the shared serving keys of [serving]: block_size,
// replicas/data_parallel, allreduce, router, the SLOs. Declared in serving/serving_config.cpp.
void read_serving(TomlTable& sv, ServingConfig& c);

}  // namespace dssim
