#pragma once
// A fixed batch of `model` on one `gpu` (its implied one-GPU node) under the PyTorch runtime: what the
// run tests start from. The caller sets the rest and then calls read_hardware_data (it reads the
// weights' precision).
#include <string>

#include "config/catalog.hpp"
#include "config/node_spec.hpp"
#include "run/run_inputs.hpp"

namespace dssim::test {

inline PredictInput one_gpu_input(const Catalog& cat, const std::string& model, const std::string& gpu, long long prompt,
                                  long long output) {
  PredictInput in;
  in.model = cat.model(model);
  in.gpu = cat.gpu(gpu);
  in.node = implicit_node(in.gpu, 1);
  in.runtime = cat.runtime("pytorch");
  in.batch = 1;
  in.prompt = prompt;
  in.output = output;
  in.context = prompt;
  return in;
}

}  // namespace dssim::test
