#include "serving/scheduler.hpp"

#include <algorithm>

namespace dssim {

ReplicaScheduler::ReplicaScheduler(const ServingConfig& cfg, long long kv_blocks)
    : cfg_(cfg), total_(kv_blocks), free_(kv_blocks) {}

bool ReplicaScheduler::enqueue(SeqState* s) {
  s->target = s->prompt;
  if (blocks_for(s->prompt + s->output) > total_) {
    s->rejected = true;
    return false;
  }
  waiting_.push_back(s);
  return true;
}

bool ReplicaScheduler::grow(SeqState* s, long long tokens) {
  long long need = blocks_for(tokens) - s->blocks;
  if (need <= 0) return true;
  if (need > free_) return false;
  free_ -= need;
  s->blocks += need;
  return true;
}

void ReplicaScheduler::release(SeqState* s) {
  free_ += s->blocks;
  s->blocks = 0;
}

void ReplicaScheduler::start(SeqState* s, double now) {
  if (s->start_s < 0) s->start_s = now;
  running_.push_back(s);
}

// Recompute preemption: drop the KV cache, prefill prompt + generated tokens again later, first in line.
void ReplicaScheduler::preempt(SeqState* s) {
  release(s);
  s->target = s->prompt + s->generated;
  s->prefilled = 0;
  s->cached = 0;
  ++s->preemptions;
  ++preemptions_;
  running_.erase(std::find(running_.begin(), running_.end(), s));
  waiting_.push_front(s);
}

bool ReplicaScheduler::make_room(SeqState* s, long long tokens) {
  while (!grow(s, tokens)) {
    SeqState* newest = running_.back();
    preempt(newest);
    if (newest == s) return false;
  }
  return true;
}

void ReplicaScheduler::plan(double now, IterationPlan& p) {
  p.clear();
  switch (cfg_.policy) {
    case Policy::static_batch:
    case Policy::adaptive: plan_static(now, p); break;
    case Policy::continuous: plan_continuous(now, p); break;
    case Policy::chunked: plan_chunked(now, p); break;
  }
}

void ReplicaScheduler::plan_static(double now, IterationPlan& p) {
  if (running_.empty()) {
    // A new batch: FCFS, prompts padded to the longest, cache held for the longest prompt + output.
    int want = cfg_.policy == Policy::adaptive ? adaptive_batch_size(static_cast<int>(waiting_.size()), cfg_)
                                               : std::min<int>(cfg_.max_batch, static_cast<int>(waiting_.size()));
    for (int k = want; k >= 1; --k) {
      long long longest_prompt = 0, longest_output = 0;
      for (int i = 0; i < k; ++i) {
        longest_prompt = std::max(longest_prompt, waiting_[static_cast<std::size_t>(i)]->prompt);
        longest_output = std::max(longest_output, waiting_[static_cast<std::size_t>(i)]->output);
      }
      if (k * blocks_for(longest_prompt + longest_output) > free_) continue;
      batch_prompt_ = longest_prompt;
      batch_steps_ = 0;
      for (int i = 0; i < k; ++i) {
        SeqState* s = waiting_.front();
        waiting_.pop_front();
        start(s, now);
        grow(s, longest_prompt + longest_output);
        p.prefill.push_back(s);
        p.shape.prefill.push_back({longest_prompt, longest_prompt, true});
      }
      return;
    }
    return;  // nothing fits now (cannot happen with an empty replica: enqueue rejected those)
  }
  // Every sequence of the batch steps until the longest output is done; finished ones are padding.
  for (SeqState* s : running_) p.decode.push_back(s);
  p.shape.decode = static_cast<int>(running_.size());
  p.shape.decode_context_sum = static_cast<double>(running_.size()) * static_cast<double>(batch_prompt_ + batch_steps_ + 1);
}

void ReplicaScheduler::plan_continuous(double now, IterationPlan& p) {
  // Prefill first: admit waiting requests (FCFS) while sequences, tokens and KV blocks allow.
  long long tokens = 0;
  while (!waiting_.empty() && static_cast<int>(running_.size()) < cfg_.max_batch) {
    SeqState* s = waiting_.front();
    if (!p.prefill.empty() && tokens + s->target > cfg_.max_batched_tokens) break;
    if (!grow(s, s->target)) break;
    waiting_.pop_front();
    start(s, now);
    tokens += s->target;
    p.prefill.push_back(s);
    p.shape.prefill.push_back({s->target, s->target, true});
  }
  if (!p.prefill.empty()) return;
  // Otherwise every running sequence decodes one token; short of blocks, the newest is preempted.
  // By index: make_room only preempts from the back, so the sequences before i stay where they are.
  for (std::size_t i = 0; i < running_.size(); ++i) make_room(running_[i], running_[i]->cached + 1);
  for (SeqState* s : running_) {
    p.decode.push_back(s);
    p.shape.decode_context_sum += static_cast<double>(s->cached + 1);
  }
  p.shape.decode = static_cast<int>(p.decode.size());
}

void ReplicaScheduler::plan_chunked(double now, IterationPlan& p) {
  long long budget = cfg_.token_budget;
  // Decodes first, one token each.
  for (std::size_t i = 0; i < running_.size(); ++i) {  // by index, as in plan_continuous
    SeqState* s = running_[i];
    if (budget <= 0) break;
    if (s->prefilled < s->target) continue;
    if (!make_room(s, s->cached + 1)) continue;
    p.decode.push_back(s);
    p.shape.decode_context_sum += static_cast<double>(s->cached + 1);
    --budget;
  }
  p.shape.decode = static_cast<int>(p.decode.size());
  // Then prefill chunks: sequences part-way through their prompt, then new admissions.
  auto add_chunk = [&](SeqState* s) {
    long long chunk = std::min(s->target - s->prefilled, budget);
    if (chunk <= 0 || !grow(s, s->cached + chunk)) return false;
    p.prefill.push_back(s);
    p.shape.prefill.push_back({chunk, s->cached + chunk, s->prefilled + chunk == s->target});
    budget -= chunk;
    return true;
  };
  for (SeqState* s : running_)
    if (budget > 0 && s->prefilled < s->target) add_chunk(s);
  while (budget > 0 && !waiting_.empty() && static_cast<int>(running_.size()) < cfg_.max_batch) {
    SeqState* s = waiting_.front();
    long long chunk = std::min(s->target, budget);
    if (blocks_for(chunk) > free_) break;
    waiting_.pop_front();
    start(s, now);
    add_chunk(s);
  }
}

void ReplicaScheduler::complete(IterationPlan& p, double end, std::vector<SeqState*>& finished) {
  auto emit = [&](SeqState* s) {
    ++s->generated;
    if (s->first_token_s < 0) s->first_token_s = end;
    if (s->done() && s->finish_s < 0) {
      s->finish_s = end;
      finished.push_back(s);
    }
  };
  for (std::size_t i = 0; i < p.prefill.size(); ++i) {
    SeqState* s = p.prefill[i];
    const PrefillChunk& c = p.shape.prefill[i];
    if (cfg_.policy == Policy::static_batch || cfg_.policy == Policy::adaptive) {
      s->prefilled = s->target;
      s->cached = batch_prompt_;
    } else {
      s->prefilled += c.tokens;
      s->cached += c.tokens;
    }
    if (c.last) emit(s);
  }
  if (cfg_.policy == Policy::static_batch || cfg_.policy == Policy::adaptive) {
    if (!p.decode.empty()) ++batch_steps_;
    for (SeqState* s : p.decode) {
      s->cached += 1;
      if (!s->done()) emit(s);
    }
    // The batch ends when its longest output is done (a prefill of one-token outputs ends it at once).
    bool all_done = std::all_of(running_.begin(), running_.end(), [](SeqState* s) { return s->done(); });
    if (all_done) {
      for (SeqState* s : running_) release(s);
      running_.clear();
    }
    return;
  }
  for (SeqState* s : p.decode) {
    s->cached += 1;
    emit(s);
  }
  // Finished sequences leave and give their blocks back.
  auto gone = std::remove_if(running_.begin(), running_.end(), [&](SeqState* s) {
    if (!s->done()) return false;
    release(s);
    return true;
  });
  running_.erase(gone, running_.end());
}

}  // namespace dssim
