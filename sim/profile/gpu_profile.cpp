#include "profile/gpu_profile.hpp"

#include <cmath>
#include <cstdlib>

#include "profile/profile_reader.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

const GpuCard* nearest_calibrated(const GpuCard& gpu, const std::vector<GpuCard>& cards) {
  // The calibrated GPU of the same architecture, else of the nearest generation (ties: the newer).
  const GpuCard* best = nullptr;
  int best_d = 1 << 20;
  const int g = architecture_generation(gpu.architecture);
  for (const GpuCard& c : cards) {
    if (c.profile_path.empty()) continue;
    const int cg = architecture_generation(c.architecture);
    const int d = 2 * std::abs(cg - g) - (cg > g ? 1 : 0);
    if (d < best_d) {
      best_d = d;
      best = &c;
    }
  }
  return best;
}

GpuProfile load_gpu_profile(const GpuCard& gpu, const Catalog& catalog) {
  if (!gpu.profile_path.empty()) {
    CalibrationProfile own = read_profile(gpu.profile_path, catalog.data_dir(), gpu);
    own.power.memory_background_share = gpu.memory_background_share;
    return {std::move(own), true, gpu.id};
  }
  GpuCard donor;
  if (!gpu.efficiency_from.empty()) {
    donor = catalog.gpu(gpu.efficiency_from);
    if (donor.profile_path.empty())
      throw Error(fmt("%s: efficiency_from = '%s' names a GPU without a calibrated profile", gpu.file.c_str(),
                      gpu.efficiency_from.c_str()));
  } else {
    std::vector<GpuCard> cards;
    for (const auto& id : catalog.gpu_ids()) cards.push_back(catalog.gpu(id));
    const GpuCard* d = nearest_calibrated(gpu, cards);
    if (!d)
      throw Error(fmt("%s: %s has no profile and no GPU in %s/platforms/gpus has one to borrow from; set 'profile' to "
                      "a calibrated profile (dssim calibrate) or 'efficiency_from' to a calibrated GPU",
                      gpu.file.c_str(), gpu.id.c_str(), catalog.data_dir().c_str()));
    donor = *d;
  }
  CalibrationProfile p = read_profile(donor.profile_path, catalog.data_dir(), donor);
  p.gpu_id = gpu.id + " (efficiencies of " + donor.id + ")";
  p.gemm_table.clear();
  p.power.memory_background_share = donor.memory_background_share;
  return {std::move(p), false, donor.id};
}

}  // namespace dssim
