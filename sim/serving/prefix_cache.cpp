#include "serving/prefix_cache.hpp"

#include <algorithm>

namespace dssim {

void LruBlocks::touch(std::uint64_t h) {
  auto it = where_.find(h);
  if (it != where_.end()) {
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  if (capacity_ <= 0) return;
  order_.push_front(h);
  where_.emplace(h, order_.begin());
  trim();
}

void LruBlocks::resize(long long capacity) {
  capacity_ = std::max(0LL, capacity);
  trim();
}

void LruBlocks::trim() {
  while (static_cast<long long>(order_.size()) > capacity_) {
    where_.erase(order_.back());
    order_.pop_back();
    ++evictions_;
  }
}

PrefixCache::PrefixCache(long long block_tokens, long long host_blocks, long long ssd_blocks)
    : block_tokens_(block_tokens), tiers_{LruBlocks(0), LruBlocks(host_blocks), LruBlocks(ssd_blocks)} {}

PrefixHit PrefixCache::peek(const std::vector<std::uint64_t>& hashes, long long prompt) const {
  PrefixHit hit;
  const long long cap = prompt - 1;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    const long long begin = static_cast<long long>(i) * block_tokens_;
    if (begin >= cap) break;
    int t = 0;
    while (t < kCacheTiers && !tiers_[t].contains(hashes[i])) ++t;
    if (t == kCacheTiers) break;
    hit.tokens[t] += std::min(block_tokens_, cap - begin);
    ++hit.blocks;
  }
  return hit;
}

PrefixHit PrefixCache::take(const std::vector<std::uint64_t>& hashes, long long prompt) {
  const PrefixHit hit = peek(hashes, prompt);
  ++stats_.lookups;
  stats_.looked_tokens += prompt;
  for (int t = 0; t < kCacheTiers; ++t) stats_.hit_tokens[t] += hit.tokens[t];
  // Every tier that holds a block sees it used; one loaded from below now sits in the GPU tier too.
  // Last block first, so that the head of a prefix is the most recent and is evicted last (as vLLM
  // frees a sequence's blocks tail first): without its head, the rest of a prefix cannot hit.
  for (long long i = hit.blocks - 1; i >= 0; --i) {
    const std::uint64_t h = hashes[static_cast<std::size_t>(i)];
    for (LruBlocks& tier : tiers_)
      if (tier.contains(h)) tier.touch(h);
    tiers_[0].touch(h);
  }
  return hit;
}

void PrefixCache::insert(const std::vector<std::uint64_t>& hashes, long long prompt) {
  const long long full = std::min(static_cast<long long>(hashes.size()), prompt / block_tokens_);
  for (long long i = full - 1; i >= 0; --i) {
    for (LruBlocks& tier : tiers_) tier.touch(hashes[static_cast<std::size_t>(i)]);
    ++stats_.inserted_blocks;
  }
}

}  // namespace dssim
