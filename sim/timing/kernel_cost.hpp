#pragma once
// Operator -> seconds on one GPU at its nominal clock (GPU side), and host CPU time to issue it.
#include "config/gpu_card.hpp"
#include "config/runtime_profile.hpp"
#include "profile/calibration_profile.hpp"
#include "profile/gpu_profile.hpp"
#include "model/operators.hpp"

namespace dssim {

class KernelCostModel {
 public:
  // `own_measurements`: the profile was fitted on this very GPU, so measured GEMM shapes may be used
  // directly; a borrowed profile only lends its efficiencies.
  KernelCostModel(GpuCard gpu, CalibrationProfile profile, bool own_measurements);
  KernelCostModel(GpuCard gpu, const GpuProfile& p);

  double gpu_time(const Op& op) const;
  // Each kernel of a model's forward takes this much more than the profile's kernel costs (the
  // runtime's `kernel_in_model`); 0 for bare kernels (burns, the fit).
  void set_in_model_cost(double seconds) { in_model_s_ = seconds; }
  // Elements per SM per clock cycle that the runtime's generic strided element-wise kernels write (the
  // runtime's `strided_outputs_per_sm_cycle`); 0: every element-wise kernel is priced by its bytes.
  void set_strided_rate(double outputs_per_sm_cycle) { strided_rate_ = outputs_per_sm_cycle; }
  // The part of gpu_time paced by the SM clock (tensor/compute-bound work); the rest is paced by
  // memory and by fixed costs. Throttling stretches only this part.
  double compute_time(const Op& op) const;
  double host_time(const Op& op, const RuntimeProfile& rt) const;
  // Bytes the op moves through memory during its memory-paced time (its bytes in the share of its time
  // that is not compute-bound; 0 for communication, which the links carry): the power model's measure
  // of how hard memory works.
  double memory_bytes(const Op& op) const;
  // gpu_time, compute_time and memory_bytes of one op from one evaluation of each (the engines' hot path).
  // `issue`: the part of gpu paced by the SM clock that is not tensor-core work (a strided element-wise
  // kernel's index arithmetic): throttling stretches it in proportion, the power model draws no compute
  // power for it.
  struct Costs {
    double gpu = 0, compute = 0, memory_bytes = 0, issue = 0;
  };
  Costs costs(const Op& op) const;
  // costs() of an attention op, and its attention_time (without the in-model cost), from one
  // evaluation of the kernel (the serving engine prices one per decode step).
  Costs attention_costs(const Op& op, double& kernel_s) const;

  // `weight_only`: the weights are dequantised to the activation precision inside the GEMM (W8A16,
  // W4A16): 16-bit tensor rate, quantised weight bytes, plus the dequantisation work (dequant_time).
  // int4 weights, and int8/fp8 weights on a GPU without that tensor rate, are always weight-only.
  // Weight-only GEMMs never use the measured-shape table (it measured native kernels).
  // `sparse`: 2:4-sparse weights on sparse tensor cores: twice the dense rate on half the multiply-adds
  // (the same fraction of the sparse peak as dense kernels reach of theirs: an upper bound), the
  // compressed weight bytes; never the measured-shape table (it measured dense kernels).
  double gemm_time(double m, double n, double k, int groups, Precision weight, Precision act,
                   bool weight_only = false, bool sparse = false) const;
  // The fitted roofline alone (no measured-shape lookup); used by validation to show its own error.
  double gemm_roofline(double m, double n, double k, int groups, Precision weight, Precision act,
                       bool weight_only = false, bool sparse = false) const;
  // Whether a GEMM with these weights runs weight-only on this GPU (see gemm_time).
  bool runs_weight_only(Precision weight, bool weight_only) const;
  // Whether it takes the profile's M = 1 line (a matrix-vector kernel) instead of the roofline.
  bool runs_gemv(double m, int groups, Precision weight, bool weight_only) const;
  // One group's dequantisation time of a weight-only GEMM, part of its compute term:
  // ceil(M / dequant_tile_m) * K * N * dequant_ops_per_weight / (peak_fp32 * eff_compute of the 16-bit fit).
  double dequant_time(double m, double n, double k, Precision act) const;
  double attention_time(const Op& op) const;
  // fixed + max(bytes / (bandwidth x copy efficiency), strided_outputs / (SMs x boost clock x strided
  // rate)): a kernel on PyTorch's generic strided path computes each element's offsets from the
  // operands' strides, and that index arithmetic paces it below the memory's rate. The second term is
  // priced at the boost clock; the power observer stretches it by f_max / f (Costs::issue) without
  // tensor-core power.
  double elementwise_time(double bytes, double strided_outputs = 0) const;
  // The index-arithmetic part of a strided element-wise kernel's time when it, not the memory, sets the
  // pace (at the boost clock); 0 otherwise.
  double strided_issue_time(const Op& op) const;

  const GpuCard& gpu() const { return gpu_; }
  const CalibrationProfile& profile() const { return profile_; }
  bool own_measurements() const { return own_; }

 private:
  const GemmFit& fit_for(Precision compute) const;
  struct GemmTerms {
    const GemmFit* fit;
    double tc, tm;  // the compute and memory terms of the roofline
    double bytes;   // what tm moves
  };
  // An element-wise kernel's two paces: its bytes at a device copy's rate, and strided_outputs / (SMs x
  // boost clock x the runtime's strided rate) (0 without either).
  double copy_seconds(double bytes) const;
  double strided_seconds(double strided_outputs) const;
  GemmTerms gemm_terms(double m, double n, double k, Precision weight, Precision act, bool weight_only,
                       bool sparse = false) const;
  GpuCard gpu_;
  CalibrationProfile profile_;
  bool own_;
  double in_model_s_ = 0;
  double strided_rate_ = 0;
  double attn_peak_ = -1;  // the attention kernels' peak rate (16-bit), looked up once; -1: none on the card
};


}  // namespace dssim
