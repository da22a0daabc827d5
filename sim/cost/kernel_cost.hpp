#pragma once
// Operator -> seconds on one GPU at its nominal clock (GPU side), and host CPU time to issue it.
#include "config/gpu_card.hpp"
#include "config/runtime_profile.hpp"
#include "cost/calibration.hpp"
#include "model/operators.hpp"

namespace dssim {

class KernelCostModel {
 public:
  // `own_measurements`: the profile was fitted on this very GPU, so measured GEMM shapes may be used
  // directly; a borrowed profile only lends its efficiencies.
  KernelCostModel(GpuCard gpu, CalibrationProfile profile, bool own_measurements);

  double gpu_time(const Op& op) const;
  // The part of gpu_time paced by the SM clock (tensor/compute-bound work); the rest is paced by
  // memory and by fixed costs. Throttling stretches only this part.
  double compute_time(const Op& op) const;
  double host_time(const Op& op, const RuntimeProfile& rt) const;

  double gemm_time(double m, double n, double k, int groups, Precision weight, Precision act) const;
  // The fitted roofline alone (no measured-shape lookup); used by validation to show its own error.
  double gemm_roofline(double m, double n, double k, int groups, Precision weight, Precision act) const;
  double attention_time(const Op& op) const;
  double elementwise_time(double bytes) const;

  const GpuCard& gpu() const { return gpu_; }
  const CalibrationProfile& profile() const { return profile_; }
  bool own_measurements() const { return own_; }

 private:
  const GemmFit& fit_for(Precision compute) const;
  struct GemmTerms {
    const GemmFit* fit;
    double tc, tm;  // the compute and memory terms of the roofline
  };
  GemmTerms gemm_terms(double m, double n, double k, Precision weight, Precision act) const;
  GpuCard gpu_;
  CalibrationProfile profile_;
  bool own_;
};

// Builds the cost model of `gpu`: its own calibration, or the efficiencies of `efficiency_from`.
class Catalog;
KernelCostModel make_cost_model(const GpuCard& gpu, const Catalog& catalog);
// The rule for borrowing: same architecture first, then the nearest generation, the newer on a tie.
const GpuCard* nearest_calibrated(const GpuCard& gpu, const std::vector<GpuCard>& cards);

}  // namespace dssim
