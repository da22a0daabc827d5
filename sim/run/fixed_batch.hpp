#pragma once
// A fixed batch: memory, then one kernel-level SimGrid run over its prefill and sampled decode steps.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "memory/memory_model.hpp"
#include "model/model_work.hpp"
#include "model/params.hpp"
#include "parallel/layout.hpp"
#include "run/batch_power.hpp"
#include "run/run_inputs.hpp"

namespace dssim {

// The peaks MFU and MBU divide by, per GPU: the dense tensor rate of the precision the GEMMs run at
// (16-bit for weight-only quantisation) and the memory bandwidth. The same for every kind of run.
// The peaks MFU and MBU divide by. 2:4-sparse weights on sparse tensor cores: the sparse peak (twice
// the dense one), against which the model's dense-equivalent FLOPs are counted, as the datasheets'
// sparse rates are.
struct UtilisationPeaks {
  Precision precision = Precision::bf16;
  bool sparse24 = false;
  double flops_per_s = 0, bytes_per_s = 0;
  std::string label() const;  // "bf16", "bf16 2:4-sparse"
};

struct Prediction {
  ParamCounts params;
  double kv_bytes_per_token = 0;
  Precision activations = Precision::bf16;
  long long kv_tokens_per_sequence = 0;
  MemoryBreakdown memory;
  bool fits = false;
  std::vector<std::string> suggestions;
  // Offload: layers whose weights stream from host memory each forward pass, and the KV tokens per
  // sequence held in host memory; `alternatives` says what would avoid it.
  int offloaded_layers = 0;
  long long host_kv_tokens = 0;
  double offload_stream_bytes = 0;  // per forward pass per GPU, weights + host KV read by a decode step
  double offload_link_Bps = 0;
  bool offload_zero_copy = false;  // unified memory: read in place, no copy
  bool offload_pageable = false;   // copied by the CPU from pageable memory
  bool offload_cxl = false;        // streamed from the node's CXL expanders
  std::vector<std::string> alternatives;
  double prefill_comm_s = 0, decode_comm_s = 0;  // time the first GPU spent communicating
  double moe_imbalance = 1;  // busiest EP rank's routed tokens / the mean
  // timings (only when it fits)
  double prefill_s = 0, decode_step_s = 0, ttft_s = 0, tpot_s = 0, e2e_s = 0, throughput_tok_s = 0;
  double prefill_gpu_busy_s = 0, prefill_host_busy_s = 0, decode_gpu_busy_s = 0, decode_host_busy_s = 0;
  int prefill_kernels = 0, decode_kernels = 0;
  // The first GPU's kernel time by class, at the calibrated clock: what a profiler's kernel table of
  // the same pass sums to per class (communication is prefill_comm_s / decode_comm_s).
  struct KernelClasses {
    double gemm_s = 0, attention_s = 0, elementwise_s = 0;
    double total() const { return gemm_s + attention_s + elementwise_s; }
  };
  KernelClasses prefill_classes, decode_classes;
  // The model's FLOPs and bytes of the prefill and of the reported decode step, and the rates and
  // MFU / MBU they reach on the replica's GPUs (model/model_work.hpp).
  ModelWork prefill_work, decode_work;
  AchievedRates prefill_rate, decode_rate;
  UtilisationPeaks peaks;  // per GPU
  std::string calibration;  // where the efficiencies came from
  double serving_power_w = 0;  // draw per GPU while busy (power model; 0 when it has no traces)
  std::optional<BatchPower> power;  // the power observer's account (absent with power_model = "off")
  std::vector<std::string> warnings;
};

struct ForwardConfig;
// The forward pass an input runs: its precisions (activations as given), layout and runtime kernels.
ForwardConfig forward_config(const PredictInput& in, Precision activations);
// Host memory per node offload may use: the scenario's, else the node file's; 0 when neither says.
double host_memory_limit(const PredictInput& in);
// How offloaded bytes reach a GPU. Pinned host memory: DMA at the runtime's share of the PCIe rate.
// Pageable: the CPU copies through the driver's pinned buffer, at most the host's measured copy rate.
// Unified memory (no PCIe between the GPU and its memory, Jetson): nothing is copied, the kernels read
// the host-resident bytes in place, over the same memory bus their other reads use.
struct HostCopy {
  bool zero_copy = false;
  double efficiency = 1;  // share of the GPU's PCIe rate a host-to-device stream reaches
  double rate_Bps = 0;    // that rate (0 with zero copy)
};
HostCopy host_copy(const PredictInput& in);
class KernelCostModel;
UtilisationPeaks utilisation_peaks(const PredictInput& in, Precision activations, const KernelCostModel& cost);
// Checks what cannot work at all (TP vs heads, GPU count): throws Error. Beyond the trained context it
// only warns (predict adds the warning).
void validate_input(const PredictInput& in);
// Memory, then (if it fits) one SimGrid run over the prefill and sampled decode steps, paced by the
// power observer `power` (null: no observer, timings at the calibrated clock).
Prediction predict(const PredictInput& in, const PowerSetup* power);

}  // namespace dssim
