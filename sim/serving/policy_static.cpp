#include "serving/policy_static.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace dssim {

namespace {
const bool registered_static = register_policy("static", [] { return std::unique_ptr<BatchPolicy>(new StaticPolicy); });
}  // namespace

std::string StaticPolicy::description() const {
  return "FCFS batches of up to max_batch, prompts padded to the longest, run until the longest output is done";
}

long long StaticPolicy::iteration_tokens(long long longest_prompt, int max_batch) const {
  return longest_prompt * max_batch;  // a padded batch of the longest prompts
}

std::string StaticPolicy::fit_hint(long long fitting_tokens, long long longest_prompt, int max_batch,
                                   double activation_bytes) const {
  return fmt("max_batch <= %lld: a padded batch of %d x %lld-token prompts needs %s of activations",
             fitting_tokens / longest_prompt, max_batch, longest_prompt, human_bytes(activation_bytes).c_str());
}

int StaticPolicy::batch_size(int waiting, int max_batch) const { return std::min(max_batch, waiting); }

void StaticPolicy::plan(KvQueue& q, double now, IterationPlan& p) {
  if (q.running.empty()) {
    // A new batch: FCFS, prompts padded to the longest, cache held for the longest prompt + output.
    const int want = batch_size(static_cast<int>(q.waiting.size()), q.max_batch());
    for (int k = want; k >= 1; --k) {
      long long longest_prompt = 0, longest_output = 0;
      for (int i = 0; i < k; ++i) {
        longest_prompt = std::max(longest_prompt, q.waiting[static_cast<std::size_t>(i)]->prompt);
        longest_output = std::max(longest_output, q.waiting[static_cast<std::size_t>(i)]->output);
      }
      if (k * q.blocks_for(longest_prompt + longest_output) > q.free_blocks()) continue;
      batch_prompt_ = longest_prompt;
      batch_steps_ = 0;
      for (int i = 0; i < k; ++i) {
        SeqState* s = q.waiting.front();
        q.waiting.pop_front();
        q.start(s, now);
        q.grow(s, longest_prompt + longest_output);
        p.prefill.push_back(s);
        p.shape.prefill.push_back({longest_prompt, longest_prompt, true});
      }
      return;
    }
    return;  // nothing fits now (cannot happen with an empty replica: enqueue rejected those)
  }
  // Every sequence of the batch steps until the longest output is done; finished ones are padding.
  for (SeqState* s : q.running) p.decode.push_back(s);
  p.shape.decode = static_cast<int>(q.running.size());
  p.shape.decode_context_max = batch_prompt_ + batch_steps_ + 1;
  p.shape.decode_context_sum = static_cast<double>(q.running.size()) * static_cast<double>(p.shape.decode_context_max);
}

void StaticPolicy::complete(KvQueue& q, const IterationPlan& p, double end, std::vector<SeqState*>& finished) {
  for (std::size_t i = 0; i < p.prefill.size(); ++i) {
    SeqState* s = p.prefill[i];
    s->prefilled = s->target;
    s->cached = batch_prompt_;
    if (p.shape.prefill[i].last) KvQueue::emit(s, end, finished);
  }
  if (!p.decode.empty()) ++batch_steps_;
  for (SeqState* s : p.decode) {
    s->cached += 1;
    if (!s->done()) KvQueue::emit(s, end, finished);
  }
  // The batch ends when its longest output is done (a prefill of one-token outputs ends it at once).
  const bool all_done = std::all_of(q.running.begin(), q.running.end(), [](SeqState* s) { return s->done(); });
  if (all_done) {
    for (SeqState* s : q.running) q.release(s);
    q.running.clear();
  }
}

SteadyRun StaticPolicy::steady(const KvQueue& q, const IterationPlan& p) const {
  // A batch in flight steps on its reserved blocks until its next sequence is done; nobody joins it.
  SteadyRun r;
  if (!p.prefill.empty() || p.decode.empty()) return r;
  r.steps = KvQueue::steps_to_first_finish(p.decode);
  r.arrivals_matter = false;
  (void)q;
  return r;
}

void StaticPolicy::advance(KvQueue& q, const IterationPlan& p, long long steps) {
  (void)q;
  batch_steps_ += steps;
  for (SeqState* s : p.decode) {
    s->cached += steps;
    if (!s->done()) s->generated += steps;  // the done ones are padding
  }
}

}  // namespace dssim
