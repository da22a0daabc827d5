#pragma once
// Static batching: FCFS, prompts padded to the batch's longest, the batch runs until its longest
// output is done and nobody joins meanwhile. Adaptive batching (policy_adaptive.cpp) is the same with
// the seed article's rule for the batch size.
#include "serving/batch_policy.hpp"

namespace dssim {

class StaticPolicy : public BatchPolicy {
 public:
  std::string name() const override { return "static"; }
  std::string description() const override;
  long long iteration_tokens(long long longest_prompt, int max_batch) const override;
  std::string fit_hint(long long fitting_tokens, long long longest_prompt, int max_batch,
                       double activation_bytes) const override;
  std::unique_ptr<BatchPolicy> clone() const override { return std::make_unique<StaticPolicy>(*this); }
  void plan(KvQueue& q, double now, IterationPlan& p) override;
  void complete(KvQueue& q, const IterationPlan& p, double end, std::vector<SeqState*>& finished) override;
  SteadyRun steady(const KvQueue& q, const IterationPlan& p) const override;
  void advance(KvQueue& q, const IterationPlan& p, long long steps) override;

 protected:
  // How many of the `waiting` requests the next batch takes.
  virtual int batch_size(int waiting, int max_batch) const;

 private:
  long long batch_prompt_ = 0, batch_steps_ = 0;  // the batch in flight
};

}  // namespace dssim

namespace dssim {
// The article's adaptive_batching, never more than are waiting (policy "adaptive").
int adaptive_batch_size(int queue_length, int max_batch, int high, int mid, int low);
}  // namespace dssim
