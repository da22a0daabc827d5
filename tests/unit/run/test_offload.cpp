// Offload the way users set it: gpu_layers, pinned or pageable host memory, unified memory.
#include <catch2/catch.hpp>

#include "config/catalog.hpp"
#include "memory/memory_model.hpp"
#include "run/fixed_batch.hpp"
#include "run/resolve.hpp"
#include "run/one_gpu_input.hpp"

using namespace dssim;

namespace {

// DeepSeek-LLM-7B in fp32 (26 GiB) on a 24 GiB RTX 4090, batch 1: the article's out-of-VRAM case.
PredictInput fp32_on_4090(const Catalog& cat) {
  PredictInput in = test::one_gpu_input(cat, "deepseek-llm-7b", "rtx-4090", 512, 4);
  in.weights = in.kv_cache = Precision::fp32;
  in.offload_weights = true;
  in.host_memory_bytes = 64.0 * 1024 * 1024 * 1024;
  read_hardware_data(in, cat);
  return in;
}

double layers_bytes(const ModelCard& m, const ParallelLayout& l, int from) {
  double b = 0;
  for (int i = from; i < m.num_hidden_layers; ++i) b += layer_weight_bytes_per_gpu(m, Precision::fp32, l, i);
  return b;
}

}  // namespace

TEST_CASE("gpu_layers keeps exactly that many decoder layers on the GPU, fitting or not", "[memory][offload]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  const ModelCard m = cat.model("deepseek-llm-7b");  // 30 layers
  const GpuCard g = cat.gpu("rtx-4090");
  MemoryRequest r;
  r.weights = r.activations = Precision::fp32;
  r.prefill_tokens = 512;
  r.kv_tokens = 767;
  r.reserve_bytes = 0.5 * 1024 * 1024 * 1024;  // the pytorch runtime's reserve
  r.reserve_fraction = 0.02;
  MemoryRequest twenty = r;
  CHECK(offload_weight_layers(m, g, twenty, 20) == 10);
  CHECK(twenty.offloaded_weight_bytes == Approx(layers_bytes(m, r.layout, 20)));
  CHECK(twenty.staging_bytes == Approx(2 * layer_weight_bytes_per_gpu(m, Precision::fp32, r.layout, 29)));
  MemoryRequest all = r;
  CHECK(offload_weight_layers(m, g, all, 0) == 30);
  CHECK(all.offloaded_weight_bytes == Approx(layers_bytes(m, r.layout, 0)));
  MemoryRequest none = r;  // llama.cpp's -ngl 999: every layer stays, and here that does not fit
  CHECK(offload_weight_layers(m, g, none, 999) == 0);
  CHECK(none.offloaded_weight_bytes == 0);
  CHECK_FALSE(memory_per_gpu(m, g, none).fits());
  MemoryRequest auto_fit = r;  // as many as fit: 23 layers stay (the scenario 7b_fp32_rtx4090_offload)
  CHECK(offload_weight_layers(m, g, auto_fit) == 7);
}

TEST_CASE("the pageable copy rate is the calibration host's, over copies beyond the CPU caches", "[memory][offload][calibration]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  PredictInput in = fp32_on_4090(cat);
  // validation/data/h200/bandwidth.csv: h2d_pageable of 256 MiB in 39.659 ms and 1 GiB in 173.891 ms
  const double pageable = (268435456.0 + 1073741824.0) / (0.0396592603 + 0.173891257);
  CHECK(in.profile.profile.pcie_pageable_Bps == Approx(pageable).epsilon(1e-5));  // 6.285 GB/s
  const HostCopy pinned = host_copy(in);
  CHECK_FALSE(pinned.zero_copy);
  CHECK(pinned.efficiency == Approx(0.9));  // the runtime's pinned DMA share
  CHECK(pinned.rate_Bps == Approx(in.gpu.pcie_Bps_per_direction * 0.9));
  in.pageable_host = true;
  const HostCopy pg = host_copy(in);
  CHECK(pg.rate_Bps == Approx(pageable).epsilon(1e-5));
  CHECK(pg.efficiency == Approx(pageable / in.gpu.pcie_Bps_per_direction).epsilon(1e-5));
}

namespace {
// copy-bound: 10 fp32 layers (7.5 GiB) at 28.8 GB/s pinned or 6.3 GB/s pageable, the compute under it
void check_copy_bound(bool pageable) {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  PredictInput in = fp32_on_4090(cat);
  in.pageable_host = pageable;
  in.gpu_layers = 20;
  const Prediction p = predict(in, nullptr);  // one SimGrid run per test case (per process)
  REQUIRE(p.fits);
  CHECK(p.offloaded_layers == 10);
  const double host = layers_bytes(in.model, in.parallel, 20);
  CHECK(p.memory.host_weights == Approx(host));
  const double copy_s = host / host_copy(in).rate_Bps;
  INFO("copy " << copy_s << " s, step " << p.decode_step_s << " s");
  CHECK(p.decode_step_s >= copy_s);
  CHECK(p.decode_step_s == Approx(copy_s).epsilon(0.03));
}
}  // namespace

TEST_CASE("a decode step streaming offloaded layers from pinned memory takes their bytes over the DMA rate", "[run][offload][oracle]") {
  check_copy_bound(false);
}

TEST_CASE("a decode step streaming offloaded layers from pageable memory takes their bytes over the host's copy rate", "[run][offload][oracle]") {
  check_copy_bound(true);
}

TEST_CASE("unified memory: offload copies nothing and frees nothing", "[run][offload]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  PredictInput in = test::one_gpu_input(cat, "deepseek-llm-7b", "jetson-agx-orin-64g", 256, 4);
  read_hardware_data(in, cat);
  in.offload_weights = true;
  in.gpu_layers = 10;
  CHECK(host_copy(in).zero_copy);
  const Prediction zero = predict(in, nullptr);
  REQUIRE(zero.fits);
  CHECK(zero.offloaded_layers == 20);
  CHECK(zero.offload_zero_copy);
  CHECK(zero.offload_stream_bytes == 0);
  // read in place: the decode step is the GPU's own work (one graph launch beside it), not a copy's
  CHECK(zero.decode_step_s == Approx(zero.decode_gpu_busy_s).epsilon(0.01));
  // A 70B model in bf16 (131 GiB) cannot be offloaded into the same 61.4 GiB
  in.model = cat.model("deepseek-r1-distill-llama-70b");
  in.gpu_layers = 20;
  const Prediction big = predict(in, nullptr);
  CHECK_FALSE(big.fits);
  REQUIRE_FALSE(big.suggestions.empty());
  CHECK_THAT(big.suggestions.front(), Catch::Contains("unified memory") && Catch::Contains("frees nothing"));
}
