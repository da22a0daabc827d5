#include "run/run_inputs.hpp"

#include "timing/kernel_cost.hpp"

namespace dssim {

KernelCostModel model_kernel_costs(const PredictInput& in) {
  KernelCostModel k(in.gpu, in.profile);
  k.set_in_model_cost(in.runtime.kernel_in_model_s);
  k.set_strided_rate(in.runtime.strided_outputs_per_sm_cycle);
  return k;
}

}  // namespace dssim
