#pragma once
// A batch policy decides, iteration by iteration, which sequences of a replica run with how many new
// tokens, and what happens to them when the iteration ends. Each policy lives in one file
// (serving/policy_*.cpp) with its own [serving] keys, its memory sizing and its description, and
// registers itself by name: adding one touches that file and its test.
#include <memory>
#include <string>
#include <vector>

#include "serving/kv_queue.hpp"

namespace dssim {

class TomlTable;

// A planned iteration that repeats: the same sequences each decode one more token per step, and
// nothing else changes until one of them finishes or the cache runs short. The engine runs such a
// stretch as one simulated activity (serving/serving_sim).
struct SteadyRun {
  long long steps = 0;           // iterations, the planned one included, that repeat it (<= 1: none)
  bool arrivals_matter = true;   // a request arriving meanwhile would change the next plan
};

class BatchPolicy {
 public:
  virtual ~BatchPolicy() = default;
  virtual std::string name() const = 0;
  // One line: what the policy does, for `dssim help policies`.
  virtual std::string description() const = 0;
  // Reads the policy's own keys of [serving] (declared beside the policy).
  virtual void read_keys(TomlTable& serving) { (void)serving; }
  // Its settings for the report's Serving line: ", max_batched_tokens 8192" ("" when none).
  virtual std::string settings() const { return ""; }
  // The most new tokens one iteration can carry (its activations are sized for it).
  virtual long long iteration_tokens(long long longest_prompt, int max_batch) const = 0;
  // What would fit when that largest iteration crowds out the cache: iterations of at most
  // `fitting_tokens` tokens; `activation_bytes` of the largest iteration now.
  virtual std::string fit_hint(long long fitting_tokens, long long longest_prompt, int max_batch,
                               double activation_bytes) const;
  // Whether it schedules every iteration, sequence by sequence: a sequence can start from its cached
  // prefix (prefix caching) and decode a variable number of tokens per step (speculative decoding).
  virtual bool iteration_level() const { return false; }
  // A fresh copy for one replica (a policy may keep per-replica state).
  virtual std::unique_ptr<BatchPolicy> clone() const = 0;
  // Fills `p`, which is empty on entry.
  virtual void plan(KvQueue& q, double now, IterationPlan& p) = 0;
  // Applies an iteration that ended at `end`; appends the sequences that finished.
  virtual void complete(KvQueue& q, const IterationPlan& p, double end, std::vector<SeqState*>& finished) = 0;
  // How far the plan just made repeats (see SteadyRun). Each repeat must be what plan() would give:
  // decode only, every context one token longer; the last may finish sequences, none before it may.
  virtual SteadyRun steady(const KvQueue& q, const IterationPlan& p) const {
    (void)q;
    (void)p;
    return {};
  }
  // Applies `steps` iterations of such a stretch at once, none of which finishes a sequence: what
  // complete() would have done to each sequence that many times (the engine keeps the books per
  // iteration; KvQueue::repeat_decode then makes `p` the next one).
  virtual void advance(KvQueue& q, const IterationPlan& p, long long steps) {
    (void)q;
    for (SeqState* s : p.decode) {
      s->cached += steps;
      s->generated += steps;
    }
  }
};

using PolicyFactory = std::unique_ptr<BatchPolicy> (*)();
// Called once per policy from its own file, at static initialisation.
bool register_policy(const std::string& name, PolicyFactory make);
std::vector<std::string> policy_names();
// A new policy of that name with its default settings; an unknown name is an Error naming `where`,
// the choices and the closest one.
std::unique_ptr<BatchPolicy> make_policy(const std::string& name, const std::string& where);

}  // namespace dssim
