#include "serving/scheduler.hpp"

namespace dssim {

ReplicaScheduler::ReplicaScheduler(const ServingConfig& cfg, long long kv_blocks, long long host_blocks,
                                   long long ssd_blocks)
    : q_(kv_blocks, cfg.block_size, cfg.max_batch), policy_(cfg.batch_policy().clone()) {
  if (cfg.prefix_cache) q_.enable_prefix_cache(cfg.prefix_block_tokens, host_blocks, ssd_blocks);
  if (cfg.speculation.on()) q_.enable_speculation(cfg.speculation.tokens, cfg.speculation.acceptance, cfg.speculation.seed);
}

bool ReplicaScheduler::enqueue(SeqState* s) {
  s->target = s->prompt;
  if (q_.blocks_for(s->prompt + s->output) > q_.total_blocks()) {
    s->rejected = true;
    return false;
  }
  q_.waiting.push_back(s);
  return true;
}

bool ReplicaScheduler::enqueue_prefilled(SeqState* s) {
  if (q_.blocks_for(s->prompt + s->output) > q_.total_blocks()) {
    s->rejected = true;
    return false;
  }
  q_.waiting.push_back(s);
  return true;
}

}  // namespace dssim
