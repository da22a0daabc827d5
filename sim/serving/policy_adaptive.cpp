// The seed article's adaptive_batching(queue_length, max_batch) on top of static batching: a long
// queue gets a full batch, a medium one half of it plus `adaptive_mid`, a short one `adaptive_low`.
#include <algorithm>

#include "config/keys.hpp"
#include "config/toml_table.hpp"
#include "serving/policy_static.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

using T = Key::Type;
const Key& kHigh = declare_key({"serving", "adaptive_high", T::integer, 0, 1 << 20, {}, "requests", "16", "queue > high: min(queue, max_batch)", "policy = adaptive"});
const Key& kMid = declare_key({"serving", "adaptive_mid", T::integer, 0, 1 << 20, {}, "requests", "8", "queue > mid: queue / 2 + mid (<= adaptive_high)", "policy = adaptive"});
const Key& kLow = declare_key({"serving", "adaptive_low", T::integer, 1, 1 << 20, {}, "requests", "4", "otherwise: low", "policy = adaptive"});

class AdaptivePolicy : public StaticPolicy {
 public:
  std::string name() const override { return "adaptive"; }
  std::string description() const override {
    return "static batching whose batch size follows the queue (the seed article's adaptive_batching)";
  }
  void read_keys(TomlTable& sv) override {
    high_ = static_cast<int>(sv.opt_int(kHigh).value_or(high_));
    mid_ = static_cast<int>(sv.opt_int(kMid.name, 0, high_).value_or(mid_));
    low_ = static_cast<int>(sv.opt_int(kLow).value_or(low_));
  }
  std::unique_ptr<BatchPolicy> clone() const override { return std::make_unique<AdaptivePolicy>(*this); }

 protected:
  int batch_size(int waiting, int max_batch) const override {
    return adaptive_batch_size(waiting, max_batch, high_, mid_, low_);
  }

 private:
  int high_ = 16, mid_ = 8, low_ = 4;
};

const bool registered_adaptive = register_policy("adaptive", [] { return std::unique_ptr<BatchPolicy>(new AdaptivePolicy); });

}  // namespace

int adaptive_batch_size(int queue_length, int max_batch, int high, int mid, int low) {
  int b;
  if (queue_length > high)
    b = std::min(queue_length, max_batch);
  else if (queue_length > mid)
    b = queue_length / 2 + mid;
  else
    b = low;
  return std::max(0, std::min({b, queue_length, max_batch}));
}

}  // namespace dssim
