#pragma once
// Board power as a function of SM clock and of what the GPU is doing, and how much slower work runs
// at a lower clock. Fitted from a GPU's sustained-load traces (its profile's [power] table); GPUs
// without traces scale the calibrated donor's ratios to their own TDP and idle draw.
#include <string>
#include <vector>

#include "config/gpu_card.hpp"
#include "profile/calibration_profile.hpp"

namespace dssim {

struct PowerModel {
  double idle_w = 0, limit_w = 0;
  double compute_w = 0;  // dynamic draw of tensor-core-bound work at f_max
  double memory_w = 0;   // dynamic draw of memory-bound work at f_max
  // Share of memory_w drawn by the SMs issuing the loads (follows the SM clock like compute power);
  // the rest is the memory and its interface. An assumption: the traces have memory-bound load at
  // f_max only, so the split cannot be fitted.
  double memory_clock_share = 0.5;
  // The memory rate at which memory_w was drawn (the copy burn's: the GPU's bandwidth x its profile's
  // copy efficiency). Memory-paced work that moves fewer bytes per second draws memory_w in proportion
  // (DRAM and interface power follow the traffic); 0: unknown, full activity.
  double memory_full_Bps = 0;
  double memory_background_share = 0;  // of memory_w, drawn whatever the traffic while memory-paced work runs
  double alpha = 2.6;    // compute power ~ (f/f_max)^alpha
  double beta = 0.6;     // compute time ~ (f_max/f)^beta
  double f_max_mhz = 0, f_min_mhz = 0, f_step_mhz = 15;
  std::string source;    // how it was obtained

  std::vector<double> clock_steps() const;  // ascending, f_min .. f_max
  // `compute_share`: fraction of busy time in compute-bound kernels; `busy`: fraction of time busy;
  // `memory_activity`: the memory-paced time's traffic as a fraction of the full rate (memory_activity()).
  double power_w(double f_mhz, double compute_share, double busy, double memory_activity = 1) const;
  // `bytes` moved in `seconds` of memory-paced time as a fraction of memory_full_Bps (at most 1); 1 when
  // either is unknown (negative bytes, no rate). `comm_seconds` of that time are collectives, whose
  // draw is not priced by their bytes: they count at full activity (as before the traffic term).
  double memory_activity(double bytes, double seconds, double comm_seconds = 0) const;
  // The compute part of the dynamic draw (the rest, power_w - idle - this, is memory-bound work's).
  double compute_dynamic_w(double f_mhz, double compute_share, double busy) const;
  // The same two from (f / f_max)^alpha, for callers that keep it per clock step (a hot path).
  double clock_factor(double f_mhz) const;
  double power_at(double clock_factor, double compute_share, double busy, double memory_activity = 1) const;
  double compute_dynamic_at(double clock_factor, double compute_share, double busy) const;
  // Work done per second at f relative to f_max (1 at f_max).
  double speed(double f_mhz, double compute_share) const;
  // The highest clock step whose power stays at or below `cap_w` (f_min if none does).
  double clock_for_cap(double cap_w, double compute_share, double busy) const;
};

// `p`: the power inputs of the GPU's profile when `own`, else of the calibrated donor (named `donor`),
// whose ratios are then scaled to this card's TDP and idle draw.
// `copy_efficiency`: the profile's share of the GPU's memory bandwidth a device copy reaches.
PowerModel make_power_model(const GpuCard& gpu, const PowerInputs& p, bool own, const std::string& donor,
                            double copy_efficiency);

}  // namespace dssim
