#pragma once
// One replica's batch scheduler: which sequences run in the next iteration, with how many tokens,
// and what happens to them when it ends. KV cache in blocks; the policies are the issue's:
// static (FCFS, padded, run to completion), adaptive (static with the article's batch size),
// continuous (iteration-level, prefill-first, preempt newest and recompute), chunked (Sarathi).
#include <deque>
#include <vector>

#include "timing/iteration_cost.hpp"
#include "serving/serving_config.hpp"

namespace dssim {

struct SeqState {
  long long id = 0;
  double arrival_s = 0;
  long long prompt = 0, output = 0;
  long long target = 0;     // tokens to prefill: the prompt, plus what was generated before a preemption
  long long prefilled = 0;  // of target
  long long cached = 0;     // KV tokens held
  long long generated = 0;
  long long blocks = 0;
  double start_s = -1, first_token_s = -1, finish_s = -1;
  int preemptions = 0;
  bool rejected = false;
  bool done() const { return generated >= output; }
};

struct IterationPlan {
  IterationShape shape;
  std::vector<SeqState*> prefill;  // shape.prefill[i] belongs to prefill[i]
  std::vector<SeqState*> decode;   // running sequences stepping one token (static: padding included)
  bool empty() const { return prefill.empty() && decode.empty(); }
  void clear() {
    shape.prefill.clear();
    shape.decode = 0;
    shape.decode_context_sum = 0;
    prefill.clear();
    decode.clear();
  }
  int sequences() const { return static_cast<int>(prefill.size() + decode.size()); }
};

class ReplicaScheduler {
 public:
  ReplicaScheduler(const ServingConfig& cfg, long long kv_blocks);
  // False (and the request marked rejected) when it could never fit this replica's KV cache.
  bool enqueue(SeqState* s);
  bool has_work() const { return !waiting_.empty() || !running_.empty(); }
  int outstanding() const { return static_cast<int>(waiting_.size() + running_.size()); }
  // Fills `p` (cleared first; its buffers are reused from one iteration to the next).
  void plan(double now, IterationPlan& p);
  // Applies an iteration that ran [start, end); appends the sequences that finished.
  void complete(IterationPlan& p, double end, std::vector<SeqState*>& finished);
  long long preemptions() const { return preemptions_; }
  long long free_blocks() const { return free_; }

 private:
  long long blocks_for(long long tokens) const { return (tokens + cfg_.block_size - 1) / cfg_.block_size; }
  bool grow(SeqState* s, long long tokens);  // hold blocks for `tokens` KV tokens
  void release(SeqState* s);
  void preempt(SeqState* s);
  bool make_room(SeqState* s, long long tokens);  // preempting the newest others as needed
  void plan_static(double now, IterationPlan& p);
  void plan_continuous(double now, IterationPlan& p);
  void plan_chunked(double now, IterationPlan& p);
  void start(SeqState* s, double now);

  ServingConfig cfg_;
  long long total_, free_;
  std::deque<SeqState*> waiting_;
  std::vector<SeqState*> running_;  // admission order: make_room preempts from the back
  long long preemptions_ = 0;
  // static / adaptive: the batch in flight
  long long batch_prompt_ = 0, batch_steps_ = 0;
};

}  // namespace dssim
