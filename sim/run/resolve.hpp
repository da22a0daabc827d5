#pragma once
// Turns a scenario (or `dssim predict`'s flags) into a run's inputs: every card, profile, cooling
// profile, trace and note is read here, once, and every id checked, before any model code runs.
#include <string>
#include <vector>

#include "config/catalog.hpp"
#include "run/run_inputs.hpp"
#include "scenario/scenario.hpp"

namespace dssim {

RunInputs resolve_scenario(const Scenario& s, const Catalog& cat, const RunOptions& opt = {});

// The scenario's model: its card from models/, or the one its Hugging Face config.json describes.
ModelCard scenario_model(const Scenario& s, const Catalog& cat);

// `dssim predict`: a fixed batch on `count` GPUs of one kind (0: as many as the layout needs).
struct PredictFlags {
  std::string model, gpu;
  std::string hf_config;  // instead of model: a Hugging Face config.json
  int count = 0, batch = 1, tp = 1, pp = 1, ep = 1;
  Precision weights = Precision::bf16, kv_cache = Precision::bf16;
  long long prompt = 512, output = 128, context = -1;  // context -1: the prompt
  bool cuda_graphs = true;
  std::string runtime = kDefaultRuntime;  // platforms/runtimes/<id>.toml
};
RunInputs resolve_predict(const PredictFlags& f, const Catalog& cat);

// What every run reads besides its cards: the efficiencies the GPU is priced with, its default cooling
// profile (when `in.env` has none yet), the published accuracy of quantised weights and how the GPU runs
// the precisions asked for (model/precision_notes).
void read_hardware_data(PredictInput& in, const Catalog& cat);

// The requests of a stream: read from the trace, or drawn from the arrival process.
std::shared_ptr<const RequestSource> load_requests(const WorkloadSpec& w);
// "trace X (azure): 120 requests over 60.0 s (2.00/s), mean prompt 512, mean output 128 tokens"
std::string describe_workload(const WorkloadSpec& w, const RequestStats& reqs);

}  // namespace dssim
