#pragma once
// One replica's requests and KV cache, as every batch policy sees them: the waiting queue, the running
// sequences in admission order, and the cache in blocks, with the moves all policies share (admit,
// hold blocks, preempt the newest and recompute later).
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "serving/prefix_cache.hpp"

#include "timing/iteration_cost.hpp"

namespace dssim {

struct SeqState {
  long long id = 0;
  long long index = 0;  // its position in the request stream (the books and the requests CSV keep that order)
  double arrival_s = 0;
  long long prompt = 0, output = 0;
  long long target = 0;     // tokens to prefill: the prompt, plus what was generated before a preemption
  long long prefilled = 0;  // of target
  long long cached = 0;     // KV tokens held
  long long generated = 0;
  long long blocks = 0;
  double start_s = -1, first_token_s = -1, finish_s = -1;
  double last_token_s = -1;  // when its latest token reached the user (the inter-token gaps)
  int preemptions = 0;
  bool rejected = false;
  const std::vector<std::uint64_t>* hashes = nullptr;  // the prompt's prefix-block hashes (null: none)
  std::vector<std::uint64_t> hash_store;  // the serving engine's copy of them (`hashes` points here)
  long long cache_hit = -1;  // prompt tokens the prefix cache held at its first admission (-1: none yet)
  double transfer_start_s = -1, transfer_end_s = -1;  // disaggregated: its KV from the prefill to the decode pool
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
    shape.decode_context_max = 0;
    shape.load_tokens_host = shape.load_tokens_ssd = 0;
    shape.decode_tokens = 1;
    prefill.clear();
    decode.clear();
  }
  int sequences() const { return static_cast<int>(prefill.size() + decode.size()); }
};

class KvQueue {
 public:
  KvQueue(long long kv_blocks, long long block_size, int max_batch);
  // Turns on the prefix cache: its GPU tier lives in the free blocks.
  void enable_prefix_cache(long long block_tokens, long long host_blocks, long long ssd_blocks);
  const PrefixCache* prefix_cache() const { return cache_ ? &*cache_ : nullptr; }
  // Prompt tokens of `s` the prefix cache would give it if it started now (0 without a cache).
  long long prefix_hit(const SeqState* s) const;
  // Moves the host and SSD loads of the sequences started since the last call into `shape`.
  void take_loads(IterationShape& shape);
  // Disaggregated prefill: the running sequences whose prompt is prefilled (and that have more to
  // generate) leave the running set into `out`, still holding their blocks until release().
  void detach_prefilled(std::vector<SeqState*>& out);
  // Disaggregated decode: waiting sequences that arrived prefilled join the running set, first come
  // first served, while sequences and blocks allow (their KV: `cached` tokens).
  void admit_prefilled(double now);
  // Speculative decoding: a decode step verifies `k` drafted tokens (the KV of k + 1 positions) and
  // emits the accepted ones plus its own; each is accepted with probability `acceptance`.
  void enable_speculation(int k, double acceptance, unsigned long long seed);
  bool speculating() const { return spec_k_ > 0; }
  // KV positions one decode step of a sequence writes: 1, or k + 1 when speculating.
  long long step_tokens() const { return 1 + spec_k_; }
  // Tokens the decode step `s` is about to take emits (1 + accepted drafts, at most what it has left);
  // a deterministic draw of (seed, sequence, tokens generated so far).
  long long decode_emits(const SeqState* s) const;
  long long decode_steps() const { return decode_steps_; }    // sequence-steps decoded (when speculating)
  long long decode_tokens() const { return decode_tokens_; }  // tokens they emitted (when speculating)

  std::deque<SeqState*> waiting;
  std::vector<SeqState*> running;  // admission order: make_room preempts from the back

  int max_batch() const { return max_batch_; }
  long long blocks_for(long long tokens) const { return (tokens + block_size_ - 1) / block_size_; }
  long long total_blocks() const { return total_; }
  long long free_blocks() const { return free_; }
  long long preemptions() const { return preemptions_; }
  // Holds blocks for `tokens` KV tokens of `s`; false (nothing changed) when the cache is short.
  bool grow(SeqState* s, long long tokens);
  void release(SeqState* s);
  // Moves `s` (already off the waiting queue) into the running set. With a prefix cache, a sequence
  // about to prefill from its first token takes the cached part of its prompt as already prefilled.
  void start(SeqState* s, double now);
  // Recompute preemption: drop the cache, prefill prompt + generated tokens again later, first in line.
  void preempt(SeqState* s);
  // Grows `s`, preempting the newest running sequences as needed; false when `s` itself went.
  bool make_room(SeqState* s, long long tokens);
  // A token for `s` at `end`; appends it to `finished` when that was its last.
  static void emit(SeqState* s, double end, std::vector<SeqState*>& finished);
  // The end of an iteration in which every sequence moves on its own (continuous, chunked): prefill
  // chunks and decode tokens land, finished sequences leave and give their blocks back.
  void complete_independent(const IterationPlan& p, double end, std::vector<SeqState*>& finished);
  // The iteration `steps` on in a steady stretch (serving/batch_policy: SteadyRun), the sequences
  // already moved on: the same ones decode, each holding the blocks for one more token; false when
  // one is short.
  bool repeat_decode(IterationPlan& p, long long steps);
  // Decode steps until the first of `seqs` that is not done emits its last token (that step included).
  static long long steps_to_first_finish(const std::vector<SeqState*>& seqs);
  // Of `max_steps` decode steps of `seqs` (the first one's blocks already held), how many find their
  // blocks free: step j needs every sequence's cache to hold cached + j tokens.
  long long decode_steps_fitting(const std::vector<SeqState*>& seqs, long long max_steps) const;

 private:
  long long block_size_;
  int max_batch_;
  long long total_, free_;
  long long preemptions_ = 0;
  void sync_gpu_tier();
  std::optional<PrefixCache> cache_;
  long long load_host_ = 0, load_ssd_ = 0;
  int spec_k_ = 0;
  double spec_acceptance_ = 0;
  unsigned long long spec_seed_ = 0;
  long long decode_steps_ = 0, decode_tokens_ = 0;
};

}  // namespace dssim
