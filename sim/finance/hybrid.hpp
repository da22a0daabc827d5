#pragma once
// Hybrid deployment: own N GPUs for the base load, rent cloud GPU-hours for what exceeds them. The
// demand is a trace's (or a synthetic stream's) output tokens over time, repeated to fill a month.
#include <vector>

#include "finance/roi.hpp"
#include "workload/request_source.hpp"

namespace dssim {

struct HybridOption {
  int onprem_gpus = 0;
  double onprem_usd = 0, cloud_usd = 0, total_usd = 0;  // per month
  double onprem_share = 0;                               // of the tokens served on-prem
  double usd_per_million_tokens = 0;
};

// `per_gpu`: the ROI inputs of one GPU (its price with its server and fabric share, power, cloud rate,
// capacity in output tokens/s while busy, host draw per GPU; the deployment's storage, operations and
// staff are charged once whenever it owns any GPU, not per GPU); `bucket_s`: the resolution of the
// load profile.
std::vector<HybridOption> hybrid_options(const RequestSource& demand, const RoiInputs& per_gpu, int max_gpus,
                                         double bucket_s = 60.0);

}  // namespace dssim
