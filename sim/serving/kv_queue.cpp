#include "serving/kv_queue.hpp"

#include <algorithm>
#include <limits>

namespace dssim {

KvQueue::KvQueue(long long kv_blocks, long long block_size, int max_batch)
    : block_size_(block_size), max_batch_(max_batch), total_(kv_blocks), free_(kv_blocks) {}

void KvQueue::enable_prefix_cache(long long block_tokens, long long host_blocks, long long ssd_blocks) {
  cache_.emplace(block_tokens, host_blocks, ssd_blocks);
  sync_gpu_tier();
}

// Free blocks only shrink in grow(), so trimming there evicts exactly what a block-by-block allocator
// would have, however many decode steps a coalesced stretch grows at once.
void KvQueue::sync_gpu_tier() {
  if (cache_) cache_->set_gpu_capacity(free_ * block_size_ / cache_->block_tokens());
}

long long KvQueue::prefix_hit(const SeqState* s) const {
  if (!cache_ || !s->hashes || s->prefilled > 0) return 0;
  return cache_->peek(*s->hashes, s->prompt).total();
}

void KvQueue::take_loads(IterationShape& shape) {
  shape.load_tokens_host = load_host_;
  shape.load_tokens_ssd = load_ssd_;
  load_host_ = load_ssd_ = 0;
}

void KvQueue::enable_speculation(int k, double acceptance, unsigned long long seed) {
  spec_k_ = k;
  spec_acceptance_ = acceptance;
  spec_seed_ = seed;
}

namespace {
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
}  // namespace

long long KvQueue::decode_emits(const SeqState* s) const {
  long long n = 1;
  // Keyed on the sequence and its progress, not on the order of events: the same run coalesced or not,
  // with other replicas or alone, draws the same tokens.
  std::uint64_t h = splitmix64(spec_seed_ ^ splitmix64(static_cast<std::uint64_t>(s->id)) ^
                               splitmix64(static_cast<std::uint64_t>(s->generated) * 0xD1B54A32D192ED03ULL));
  for (int i = 0; i < spec_k_; ++i) {
    h = splitmix64(h);
    const double u = static_cast<double>(h >> 11) * 0x1.0p-53;
    if (u >= spec_acceptance_) break;
    ++n;
  }
  return std::min(n, std::max(1LL, s->output - s->generated));
}

void KvQueue::detach_prefilled(std::vector<SeqState*>& out) {
  auto gone = std::remove_if(running.begin(), running.end(), [&](SeqState* s) {
    if (s->prefilled < s->target || s->generated < 1 || s->done()) return false;
    out.push_back(s);
    return true;
  });
  running.erase(gone, running.end());
}

void KvQueue::admit_prefilled(double now) {
  while (!waiting.empty() && static_cast<int>(running.size()) < max_batch_) {
    SeqState* s = waiting.front();
    if (s->prefilled < s->target || !grow(s, s->cached)) return;
    waiting.pop_front();
    start(s, now);
  }
}

bool KvQueue::grow(SeqState* s, long long tokens) {
  long long need = blocks_for(tokens) - s->blocks;
  if (need <= 0) return true;
  if (need > free_) return false;
  free_ -= need;
  s->blocks += need;
  sync_gpu_tier();
  return true;
}

void KvQueue::release(SeqState* s) {
  free_ += s->blocks;
  s->blocks = 0;
  sync_gpu_tier();
}

void KvQueue::start(SeqState* s, double now) {
  if (s->start_s < 0) s->start_s = now;
  running.push_back(s);
  if (!cache_ || !s->hashes || s->prefilled > 0) return;
  const PrefixHit hit = cache_->take(*s->hashes, s->prompt);
  if (s->cache_hit < 0) s->cache_hit = hit.total();
  s->prefilled = s->cached = hit.total();
  load_host_ += hit.tokens[static_cast<int>(CacheTier::host)];
  load_ssd_ += hit.tokens[static_cast<int>(CacheTier::ssd)];
}

void KvQueue::preempt(SeqState* s) {
  release(s);
  s->target = s->prompt + s->generated;
  s->prefilled = 0;
  s->cached = 0;
  ++s->preemptions;
  ++preemptions_;
  running.erase(std::find(running.begin(), running.end(), s));
  waiting.push_front(s);
}

bool KvQueue::make_room(SeqState* s, long long tokens) {
  while (!grow(s, tokens)) {
    SeqState* newest = running.back();
    preempt(newest);
    if (newest == s) return false;
  }
  return true;
}

void KvQueue::emit(SeqState* s, double end, std::vector<SeqState*>& finished) {
  ++s->generated;
  if (s->first_token_s < 0) s->first_token_s = end;
  if (s->done() && s->finish_s < 0) {
    s->finish_s = end;
    finished.push_back(s);
  }
}

void KvQueue::complete_independent(const IterationPlan& p, double end, std::vector<SeqState*>& finished) {
  for (std::size_t i = 0; i < p.prefill.size(); ++i) {
    SeqState* s = p.prefill[i];
    const PrefillChunk& c = p.shape.prefill[i];
    s->prefilled += c.tokens;
    s->cached += c.tokens;
    if (c.last && cache_ && s->hashes) cache_->insert(*s->hashes, s->prompt);
    if (c.last) emit(s, end, finished);
  }
  for (SeqState* s : p.decode) {
    const long long n = speculating() ? decode_emits(s) : 1;
    if (speculating()) {
      ++decode_steps_;
      decode_tokens_ += n;
    }
    s->cached += n;
    for (long long i = 0; i < n; ++i) emit(s, end, finished);
  }
  auto gone = std::remove_if(running.begin(), running.end(), [&](SeqState* s) {
    if (!s->done()) return false;
    release(s);
    return true;
  });
  running.erase(gone, running.end());
}

bool KvQueue::repeat_decode(IterationPlan& p, long long steps) {
  for (SeqState* s : p.decode)
    if (!grow(s, s->cached + 1)) return false;
  p.shape.decode_context_sum += static_cast<double>(steps) * p.shape.decode;
  p.shape.decode_context_max += steps;
  return true;
}

long long KvQueue::steps_to_first_finish(const std::vector<SeqState*>& seqs) {
  long long steps = std::numeric_limits<long long>::max();
  for (const SeqState* s : seqs)
    if (!s->done()) steps = std::min(steps, s->output - s->generated);
  return steps;
}

long long KvQueue::decode_steps_fitting(const std::vector<SeqState*>& seqs, long long max_steps) const {
  // The blocks steps 2..j need beyond those held grow with j: the largest j within the free ones.
  auto need = [&](long long j) {
    long long n = 0;
    for (const SeqState* s : seqs) n += std::max(0LL, blocks_for(s->cached + j) - s->blocks);
    return n;
  };
  if (max_steps <= 1 || need(max_steps) <= free_) return max_steps;
  long long lo = 1, hi = max_steps;  // need(lo) <= free (held by the plan), need(hi) > free
  while (hi - lo > 1) {
    const long long mid = lo + (hi - lo) / 2;
    (need(mid) <= free_ ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace dssim
