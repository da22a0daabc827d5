// Sarathi-style chunked prefill: every iteration carries at most token_budget tokens, decodes first
// (one token each), then prefill chunks of sequences part-way through their prompt, then new ones.
#include <algorithm>

#include "config/keys.hpp"
#include "config/toml_table.hpp"
#include "serving/batch_policy.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

const Key& kTokenBudget = declare_key({"serving", "token_budget", Key::Type::integer, 1, 1LL << 30, {}, "tokens", "512", "tokens (decodes + prefill chunks) in one iteration", "policy = chunked"});

class ChunkedPolicy : public BatchPolicy {
 public:
  std::string name() const override { return "chunked"; }
  std::string description() const override {
    return "chunked prefill (Sarathi): token_budget tokens per iteration, decodes first, then prompt chunks";
  }
  void read_keys(TomlTable& sv) override { budget_ = sv.opt_int(kTokenBudget).value_or(budget_); }
  std::string settings() const override { return fmt(", token_budget %lld", budget_); }
  long long iteration_tokens(long long, int) const override { return budget_; }
  std::string fit_hint(long long fitting_tokens, long long, int, double) const override {
    return fmt("iterations of at most %lld tokens (token_budget)", fitting_tokens);
  }
  bool iteration_level() const override { return true; }
  std::unique_ptr<BatchPolicy> clone() const override { return std::make_unique<ChunkedPolicy>(*this); }

  void plan(KvQueue& q, double now, IterationPlan& p) override {
    long long budget = budget_;
    // Decodes first, one token each; by index, as make_room only preempts from the back.
    // A speculative step writes (and counts against the budget) its drafted tokens too.
    const long long step = q.step_tokens();
    for (std::size_t i = 0; i < q.running.size(); ++i) {
      SeqState* s = q.running[i];
      if (budget < step) break;
      if (s->prefilled < s->target) continue;
      if (!q.make_room(s, s->cached + step)) continue;
      p.decode.push_back(s);
      p.shape.decode_context_sum += static_cast<double>(s->cached + step);
      p.shape.decode_context_max = std::max(p.shape.decode_context_max, s->cached + step);
      budget -= step;
    }
    p.shape.decode = static_cast<int>(p.decode.size());
    p.shape.decode_tokens = static_cast<int>(step);
    // Then prefill chunks: sequences part-way through their prompt, then new admissions.
    auto add_chunk = [&](SeqState* s) {
      const long long chunk = std::min(s->target - s->prefilled, budget);
      if (chunk <= 0 || !q.grow(s, s->cached + chunk)) return false;
      p.prefill.push_back(s);
      p.shape.prefill.push_back({chunk, s->cached + chunk, s->prefilled + chunk == s->target});
      budget -= chunk;
      return true;
    };
    for (SeqState* s : q.running)
      if (budget > 0 && s->prefilled < s->target) add_chunk(s);
    while (budget > 0 && !q.waiting.empty() && static_cast<int>(q.running.size()) < q.max_batch()) {
      SeqState* s = q.waiting.front();
      if (s->prefilled >= s->target) break;  // its KV came from a prefill replica: it waits for blocks
      const long long hit = q.prefix_hit(s);
      const long long chunk = std::min(s->target - hit, budget);
      if (q.blocks_for(hit + chunk) > q.free_blocks()) break;
      q.waiting.pop_front();
      q.start(s, now);
      add_chunk(s);
    }
  }

  void complete(KvQueue& q, const IterationPlan& p, double end, std::vector<SeqState*>& finished) override {
    q.complete_independent(p, end, finished);
  }

  SteadyRun steady(const KvQueue& q, const IterationPlan& p) const override {
    // Every running sequence decodes and no chunk went in: nothing is part-way through its prompt, and
    // a waiting request found the running set full, no budget left, or too few free blocks (which only
    // shrink while everyone decodes).
    SteadyRun r;
    if (q.speculating()) return r;  // steps emit a random number of tokens each: every one is planned
    if (!p.prefill.empty() || p.decode.empty() || p.decode.size() != q.running.size()) return r;
    r.steps = q.decode_steps_fitting(p.decode, KvQueue::steps_to_first_finish(p.decode));
    r.arrivals_matter = q.waiting.empty() && static_cast<int>(q.running.size()) < q.max_batch() &&
                        budget_ > static_cast<long long>(p.decode.size());
    return r;
  }

 private:
  long long budget_ = 512;
};

const bool registered_chunked = register_policy("chunked", [] { return std::unique_ptr<BatchPolicy>(new ChunkedPolicy); });

}  // namespace

}  // namespace dssim
