#pragma once
// A replica's prefix cache (vLLM's automatic prefix caching, with the host-memory and SSD tiers of
// LMCache, Mooncake's store and DeepSeek's on-disk cache): KV blocks of `block_tokens` tokens keyed by
// the hash of the prefix they end, found again by later requests that share that prefix.
//
// Three tiers, each its own LRU, written through: a block whose prefill completes is put in every tier,
// so a block evicted from the GPU can still be found in host memory or on the SSD. The GPU tier lives in
// the KV pool's free blocks (what running sequences do not hold), so it shrinks as they grow; the host
// and SSD tiers have fixed sizes. A lookup walks the request's blocks from the first and stops at the
// first one no tier holds (a block's hash covers its whole prefix, so nothing after a miss can hit).
#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

namespace dssim {

enum class CacheTier { gpu = 0, host = 1, ssd = 2 };
inline constexpr int kCacheTiers = 3;

// One tier: a set of block hashes, least recently used first out.
class LruBlocks {
 public:
  explicit LruBlocks(long long capacity = 0) : capacity_(capacity) {}
  long long capacity() const { return capacity_; }
  long long size() const { return static_cast<long long>(order_.size()); }
  bool contains(std::uint64_t h) const { return where_.count(h) > 0; }
  // Marks `h` most recently used, inserting it (and evicting the least recently used beyond the capacity).
  void touch(std::uint64_t h);
  // A new capacity; evicts down to it.
  void resize(long long capacity);
  long long evictions() const { return evictions_; }

 private:
  void trim();
  long long capacity_;
  long long evictions_ = 0;
  std::list<std::uint64_t> order_;  // front: most recent
  std::unordered_map<std::uint64_t, std::list<std::uint64_t>::iterator> where_;
};

// What a lookup found: tokens of the prompt whose KV is already there, by the tier it comes from.
struct PrefixHit {
  long long tokens[kCacheTiers] = {0, 0, 0};
  long long blocks = 0;  // leading blocks found
  long long total() const { return tokens[0] + tokens[1] + tokens[2]; }
};

struct PrefixCacheStats {
  long long lookups = 0;          // admissions that looked
  long long looked_tokens = 0;    // prompt tokens they asked for
  long long hit_tokens[kCacheTiers] = {0, 0, 0};
  long long inserted_blocks = 0;
  long long hits() const { return hit_tokens[0] + hit_tokens[1] + hit_tokens[2]; }
};

class PrefixCache {
 public:
  // Tier capacities in blocks (the GPU tier's is set by the KV pool with set_gpu_capacity).
  PrefixCache(long long block_tokens, long long host_blocks, long long ssd_blocks);
  long long block_tokens() const { return block_tokens_; }
  // The leading blocks of `hashes` held, and the tokens they cover of a `prompt`-token prompt: at most
  // prompt - 1, as the last token is always computed (its logits give the first output token).
  PrefixHit peek(const std::vector<std::uint64_t>& hashes, long long prompt) const;
  // peek(), then counts it and marks its blocks used; blocks found below the GPU are copied up to it.
  PrefixHit take(const std::vector<std::uint64_t>& hashes, long long prompt);
  // The prompt's KV is complete: every block of it that the prompt fills goes into every tier.
  void insert(const std::vector<std::uint64_t>& hashes, long long prompt);
  void set_gpu_capacity(long long blocks) { tiers_[0].resize(blocks); }
  const LruBlocks& tier(CacheTier t) const { return tiers_[static_cast<int>(t)]; }
  const PrefixCacheStats& stats() const { return stats_; }

 private:
  long long block_tokens_;
  LruBlocks tiers_[kCacheTiers];
  PrefixCacheStats stats_;
};

}  // namespace dssim
