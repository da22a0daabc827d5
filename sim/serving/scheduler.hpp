#pragma once
// One replica's batch scheduler: its queue and KV cache (serving/kv_queue) driven by its own copy of
// the scenario's batch policy (serving/batch_policy).
#include <memory>
#include <vector>

#include "serving/batch_policy.hpp"
#include "serving/kv_queue.hpp"
#include "serving/serving_config.hpp"

namespace dssim {

class ReplicaScheduler {
 public:
  // `host_blocks`, `ssd_blocks`: the prefix cache's lower tiers in its blocks (with cfg.prefix_cache).
  ReplicaScheduler(const ServingConfig& cfg, long long kv_blocks, long long host_blocks = 0, long long ssd_blocks = 0);
  // False (and the request marked rejected) when it could never fit this replica's KV cache.
  bool enqueue(SeqState* s);
  // A sequence prefilled elsewhere (disaggregated decode), its KV arrived; false when it could never fit.
  bool enqueue_prefilled(SeqState* s);
  // Disaggregated prefill: sequences whose prompt is done leave (holding their blocks) into `out`.
  void detach_prefilled(std::vector<SeqState*>& out) { q_.detach_prefilled(out); }
  // Gives back a detached sequence's blocks once its KV has left.
  void release(SeqState* s) { q_.release(s); }
  bool has_work() const { return !q_.waiting.empty() || !q_.running.empty(); }
  int outstanding() const { return static_cast<int>(q_.waiting.size() + q_.running.size()); }
  // Fills `p` (cleared first; its buffers are reused from one iteration to the next).
  void plan(double now, IterationPlan& p) {
    p.clear();
    q_.admit_prefilled(now);
    policy_->plan(q_, now, p);
    q_.take_loads(p.shape);
  }
  // Applies an iteration that ran [start, end); appends the sequences that finished.
  void complete(IterationPlan& p, double end, std::vector<SeqState*>& finished) { policy_->complete(q_, p, end, finished); }
  // How far the plan just made repeats (serving/batch_policy: SteadyRun).
  SteadyRun steady(const IterationPlan& p) const { return policy_->steady(q_, p); }
  // Applies `steps` iterations of `p`'s steady stretch that finish nobody and makes `p` the one after
  // them; false when a block is short (a bug).
  bool advance(IterationPlan& p, long long steps) {
    policy_->advance(q_, p, steps);
    return q_.repeat_decode(p, steps);
  }
  long long preemptions() const { return q_.preemptions(); }
  long long free_blocks() const { return q_.free_blocks(); }
  const PrefixCache* prefix_cache() const { return q_.prefix_cache(); }
  long long prefix_hit(const SeqState* s) const { return q_.prefix_hit(s); }
  long long decode_steps() const { return q_.decode_steps(); }
  long long decode_tokens() const { return q_.decode_tokens(); }

 private:
  KvQueue q_;
  std::unique_ptr<BatchPolicy> policy_;
};

}  // namespace dssim
