#pragma once
// A lumped first-order thermal model of one GPU: the die temperature relaxes towards
// ambient + idle rise + R_c x (compute power) + R_m x (memory power) with one time constant.
#include <string>

#include "config/gpu_card.hpp"

namespace dssim {

struct CoolingProfile {
  std::string id, name, source, file;
  double idle_rise_c = 0;      // die above ambient at idle draw
  double rise_at_tdp_c = 0;    // die above ambient when compute-bound work draws the card's TDP
  double memory_factor = 0.67; // a memory-bound watt heats the die this fraction of a compute watt
  double time_constant_s = 1;
};

CoolingProfile load_cooling(const std::string& path);

struct ThermalModel {
  double ambient_c = 25, idle_rise_c = 0, r_compute = 0, r_memory = 0, tau_s = 1;
  double slowdown_c = 87, shutdown_c = 92;
  // Below the slowdown threshold by less than this the clock may not rise: without a band the
  // controller would step up and down every decision. dssim's choice (NVIDIA does not publish one).
  double hold_band_c = 2.0;
  // Steady temperature for the given dynamic (above idle) compute and memory power.
  double steady_c(double compute_dyn_w, double memory_dyn_w) const {
    return ambient_c + idle_rise_c + r_compute * compute_dyn_w + r_memory * memory_dyn_w;
  }
  // Exact first-order step over dt towards `target`.
  double step(double temp_c, double target_c, double dt_s) const;
};

// The cooling profile's rises are for a card drawing its TDP: R_c = (rise_at_tdp - idle_rise) / (TDP - idle).
ThermalModel make_thermal(const GpuCard& gpu, const CoolingProfile& c, double ambient_c);

}  // namespace dssim
