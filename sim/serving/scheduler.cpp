#include "serving/scheduler.hpp"

namespace dssim {

ReplicaScheduler::ReplicaScheduler(const ServingConfig& cfg, long long kv_blocks)
    : q_(kv_blocks, cfg.block_size, cfg.max_batch), policy_(cfg.batch_policy().clone()) {}

bool ReplicaScheduler::enqueue(SeqState* s) {
  s->target = s->prompt;
  if (q_.blocks_for(s->prompt + s->output) > q_.total_blocks()) {
    s->rejected = true;
    return false;
  }
  q_.waiting.push_back(s);
  return true;
}

}  // namespace dssim
