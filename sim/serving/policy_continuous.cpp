// vLLM-style continuous batching: iteration-level scheduling, prefill first (whole prompts, FCFS, up to
// max_batched_tokens new tokens), otherwise every running sequence decodes one token; short of KV
// blocks, the newest sequence is preempted and recomputed later.
#include <algorithm>

#include "config/keys.hpp"
#include "config/toml_table.hpp"
#include "serving/batch_policy.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

const Key& kMaxBatchedTokens = declare_key({"serving", "max_batched_tokens", Key::Type::integer, 1, 1LL << 30, {}, "tokens", "8192", "new tokens in one prefill iteration", "policy = continuous"});

class ContinuousPolicy : public BatchPolicy {
 public:
  std::string name() const override { return "continuous"; }
  std::string description() const override {
    return "iteration-level batching (vLLM): prefill first up to max_batched_tokens, else all running decode; "
           "preempt the newest and recompute";
  }
  void read_keys(TomlTable& sv) override { max_tokens_ = sv.opt_int(kMaxBatchedTokens).value_or(max_tokens_); }
  std::string settings() const override { return fmt(", max_batched_tokens %lld", max_tokens_); }
  long long iteration_tokens(long long longest_prompt, int) const override { return std::max(max_tokens_, longest_prompt); }
  std::string fit_hint(long long fitting_tokens, long long, int, double) const override {
    return fmt("iterations of at most %lld tokens (max_batched_tokens)", fitting_tokens);
  }
  bool iteration_level() const override { return true; }
  std::unique_ptr<BatchPolicy> clone() const override { return std::make_unique<ContinuousPolicy>(*this); }

  void plan(KvQueue& q, double now, IterationPlan& p) override {
    // Prefill first: admit waiting requests (FCFS) while sequences, tokens and KV blocks allow.
    long long tokens = 0;
    while (!q.waiting.empty() && static_cast<int>(q.running.size()) < q.max_batch()) {
      SeqState* s = q.waiting.front();
      if (s->prefilled >= s->target) break;  // its KV came from a prefill replica: it waits for blocks
      // The cached part of a prompt costs no tokens of the budget, only its blocks.
      if (!p.prefill.empty() && tokens + s->target - q.prefix_hit(s) > max_tokens_) break;
      if (!q.grow(s, s->target)) break;
      q.waiting.pop_front();
      q.start(s, now);
      const long long fresh = s->target - s->prefilled;
      tokens += fresh;
      p.prefill.push_back(s);
      p.shape.prefill.push_back({fresh, s->target, true});
    }
    if (!p.prefill.empty()) return;
    // Otherwise every running sequence decodes one token; short of blocks, the newest is preempted.
    // By index: make_room only preempts from the back, so the sequences before i stay where they are.
    // A speculative step writes the KV of its drafted tokens too (step_tokens positions).
    const long long step = q.step_tokens();
    for (std::size_t i = 0; i < q.running.size(); ++i) q.make_room(q.running[i], q.running[i]->cached + step);
    for (SeqState* s : q.running) {
      p.decode.push_back(s);
      p.shape.decode_context_sum += static_cast<double>(s->cached + step);
      p.shape.decode_context_max = std::max(p.shape.decode_context_max, s->cached + step);
    }
    p.shape.decode = static_cast<int>(p.decode.size());
    p.shape.decode_tokens = static_cast<int>(step);
  }

  void complete(KvQueue& q, const IterationPlan& p, double end, std::vector<SeqState*>& finished) override {
    q.complete_independent(p, end, finished);
  }

  SteadyRun steady(const KvQueue& q, const IterationPlan& p) const override {
    // Decoding means no waiting request could be admitted: the running set is full, or the head of the
    // queue needs more blocks than are free, which only shrink while everyone decodes.
    SteadyRun r;
    if (q.speculating()) return r;  // steps emit a random number of tokens each: every one is planned
    if (!p.prefill.empty() || p.decode.empty() || p.decode.size() != q.running.size()) return r;
    r.steps = q.decode_steps_fitting(p.decode, KvQueue::steps_to_first_finish(p.decode));
    r.arrivals_matter = q.waiting.empty() && static_cast<int>(q.running.size()) < q.max_batch();
    return r;
  }

 private:
  long long max_tokens_ = 8192;
};

const bool registered_continuous = register_policy("continuous", [] { return std::unique_ptr<BatchPolicy>(new ContinuousPolicy); });

}  // namespace

}  // namespace dssim
