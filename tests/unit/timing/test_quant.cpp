#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "calibration/fitter.hpp"
#include "calibration/profile_writer.hpp"
#include "profile/profile_reader.hpp"
#include "config/catalog.hpp"
#include "profile/gpu_profile.hpp"
#include "timing/kernel_cost.hpp"
#include "model/quant_accuracy.hpp"
#include "util/error.hpp"
#include "test_files.hpp"

using namespace dssim;

namespace {
// Round numbers: 1 TB/s, 10 TFLOP/s FP32 cores, 100 TFLOP/s bf16, 200 TOP/s int8 (the int8 card only).
GpuCard int8_toy_gpu(bool int8_cores) {
  GpuCard g;
  g.id = "toy";
  g.memory_bw_Bps = 1e12;
  g.peak_flops[Precision::fp32] = 10e12;
  g.peak_flops[Precision::bf16] = 100e12;
  if (int8_cores) g.peak_flops[Precision::int8] = 200e12;
  return g;
}
CalibrationProfile int8_toy_profile() {
  CalibrationProfile p;
  GemmFit f;
  f.fixed_s = 2e-6;
  f.eff_compute = 0.5;
  f.eff_memory = 0.5;
  f.smooth_n = 1000;  // a sharp corner: the plain roofline max()
  p.gemm["bf16"] = f;
  GemmFit i8 = f;
  i8.fixed_s = 3e-6;
  i8.eff_compute = 0.8;
  p.gemm["int8"] = i8;
  return p;  // dequant defaults: tile 128 rows, 4 ops per weight element
}
constexpr double N = 4096, K = 4096;
// A weight-only GEMM of the N x K weights above for m rows.
Op weight_only_gemm(double m, Precision w) { return make_gemm_op("w", m, N, K, w, Precision::bf16, true); }
}  // namespace

TEST_CASE("decode-shaped weight-only int4 GEMM reads ~4x fewer bytes than bf16", "[quant]") {
  KernelCostModel c(int8_toy_gpu(false), int8_toy_profile(), false);
  // bf16, M = 1: 2 B x (4096 + 4096*4096 + 4096) = 33,570,816 B at 0.5 TB/s = 67.14 us (FLOPs: 0.67 us)
  const double b16 = 2.0 * (K + K * N + N);
  const double t16 = c.gemm_roofline(1, N, K, 1, Precision::bf16, Precision::bf16);
  CHECK(t16 == Approx(2e-6 + b16 / 0.5e12));
  // int4: 0.515625 B per weight (fp16 scale per 128) = 8,650,752 B + 16,384 B of activations = 17.33 us;
  // compute 0.67 us + dequant ceil(1/128) * 4096*4096 * 4 / (10 TFLOP/s * 0.5) = 13.42 us: memory-bound
  const double b4 = 2.0 * (K + N) + K * N * (0.5 + 2.0 / 128);
  const double deq = 1 * K * N * 4 / (10e12 * 0.5);
  CHECK(c.dequant_time(1, N, K, Precision::bf16) == Approx(deq));
  const Op op = weight_only_gemm(1, Precision::int4);
  const double t4 = c.gpu_time(op);
  CHECK(t4 == Approx(2e-6 + b4 / 0.5e12));
  CHECK((t16 - 2e-6) / (t4 - 2e-6) == Approx(b16 / b4));  // 3.87x
  CHECK((t16 - 2e-6) / (t4 - 2e-6) > 3.8);
  CHECK(c.compute_time(op) == Approx(0).margin(1e-12));  // memory-bound: nothing paced by the SM clock
  // int4 is weight-only whatever the flag says
  CHECK(c.gemm_roofline(1, N, K, 1, Precision::int4, Precision::bf16, false) == Approx(t4));
}

TEST_CASE("large-M weight-only int8 is slower than bf16 by exactly the dequantisation", "[quant]") {
  KernelCostModel c(int8_toy_gpu(true), int8_toy_profile(), false);
  const double M = 8192;
  // bf16: 2*8192*4096*4096 = 274.9 GFLOP at 100 TFLOP/s * 0.5 = 5.498 ms (bytes: 0.34 ms)
  const double flops = 2 * M * N * K;
  const double t16 = c.gemm_roofline(M, N, K, 1, Precision::bf16, Precision::bf16);
  CHECK(t16 == Approx(2e-6 + flops / 50e12));
  // W8A16: the same 16-bit tensor work + ceil(8192/128) = 64 tiles x 4096*4096 x 4 ops / 5 TFLOP/s = 0.859 ms
  const double deq = 64 * K * N * 4 / 5e12;
  const double two = c.gemm_roofline(M, N, K, 1, Precision::int8, Precision::bf16, true);
  CHECK(two - t16 == Approx(deq).epsilon(1e-9));
  CHECK(two == Approx(2e-6 + flops / 50e12 + deq));
  // a partial tile costs a whole one: M = 129 is two tiles
  CHECK(c.dequant_time(129, N, K, Precision::bf16) == Approx(2 * K * N * 4 / 5e12));
  // SM-clock paced: with a sharp corner the whole compute-bound time, dequantisation included
  const Op op = weight_only_gemm(M, Precision::int8);
  CHECK(c.gpu_time(op) == Approx(two));
  CHECK(c.compute_time(op) == Approx(two - 2e-6));
}

TEST_CASE("native int8 GEMMs keep the int8 rate and fit", "[quant]") {
  KernelCostModel c(int8_toy_gpu(true), int8_toy_profile(), false);
  const double M = 8192;
  // 274.9 GOP at 200 TOP/s * 0.8 (the int8 fit) = 1.718 ms; bytes (2 B activations in and out, 1 B
  // weights) 151 MB at 0.5 TB/s = 0.302 ms; fixed cost of the int8 fit 3 us; no dequantisation
  const double t = c.gemm_roofline(M, N, K, 1, Precision::int8, Precision::bf16, false);
  CHECK(t == Approx(3e-6 + 2 * M * N * K / 160e12));
  CHECK(t < c.gemm_roofline(M, N, K, 1, Precision::bf16, Precision::bf16));
  CHECK_FALSE(c.runs_weight_only(Precision::int8, false));
  CHECK(c.runs_weight_only(Precision::int8, true));
  CHECK(c.runs_weight_only(Precision::int4, false));
  CHECK_FALSE(c.runs_weight_only(Precision::bf16, true));
}

TEST_CASE("weight-only int8 on a GPU without int8 cores: the explicit formula", "[quant]") {
  KernelCostModel c(int8_toy_gpu(false), int8_toy_profile(), false);
  for (double M : {1.0, 64.0, 300.0, 4096.0}) {
    const double flops = 2 * M * N * K;
    const double bytes = 2 * (M * K + M * N) + K * N * 1.0;
    const double deq = std::ceil(M / 128) * K * N * 4 / (10e12 * 0.5);
    const double expect = 2e-6 + std::max(flops / (100e12 * 0.5) + deq, bytes / (1e12 * 0.5));
    CHECK(c.gemm_roofline(M, N, K, 1, Precision::int8, Precision::bf16, true) == Approx(expect));
    // without int8 tensor cores the weights can only be dequantised: the same kernel without the flag
    CHECK(c.gemm_time(M, N, K, 1, Precision::int8, Precision::bf16, false) == Approx(expect));
  }
  // grouped (experts, heads): one fixed cost, every group dequantises its own weights
  CHECK(c.gemm_roofline(4096, N, K, 8, Precision::int8, Precision::bf16, true) ==
        Approx(2e-6 + 8 * (2 * 4096 * N * K / 50e12 + 32 * K * N * 4 / 5e12)));
}

TEST_CASE("a rounded corner: compute_time is the compute share of the time, dequantisation included", "[quant]") {
  CalibrationProfile p = int8_toy_profile();
  p.gemm["bf16"].smooth_n = 3;
  p.dequant_tile_m = 64;
  p.dequant_ops_per_weight = 6;
  KernelCostModel c(int8_toy_gpu(false), p, false);
  const Op op = weight_only_gemm(256, Precision::int8);
  const double tc = 2 * 256 * N * K / 50e12 + 4 * K * N * 6 / 5e12;  // 4 tiles of 64, 6 ops each
  const double tm = (2 * (256 * K + 256 * N) + K * N) / 0.5e12;
  CHECK(c.gpu_time(op) == Approx(2e-6 + std::cbrt(tc * tc * tc + tm * tm * tm)));
  CHECK(c.compute_time(op) == Approx(rounded_share(tc, tm, 3) * (c.gpu_time(op) - 2e-6)));
}

TEST_CASE("weight-only GEMMs never use the measured H200 shapes", "[quant][calibration]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  KernelCostModel c = KernelCostModel(cat.gpu("h200-sxm"), load_gpu_profile(cat.gpu("h200-sxm"), cat));
  REQUIRE(c.own_measurements());
  // gemm.csv: int8 7b_o (N = K = 4096) at M = 1024 took 5.18443203e-05 s (a native int8 kernel)
  CHECK(c.gemm_time(1024, 4096, 4096, 1, Precision::int8, Precision::bf16, false) == Approx(5.18443203e-05));
  const double wo = c.gemm_time(1024, 4096, 4096, 1, Precision::int8, Precision::bf16, true);
  CHECK(wo == Approx(c.gemm_roofline(1024, 4096, 4096, 1, Precision::int8, Precision::bf16, true)));
  CHECK(wo > c.gemm_roofline(1024, 4096, 4096, 1, Precision::bf16, Precision::bf16));  // 16-bit rate + dequant
  CHECK(c.profile().dequant_tile_m == 128);
  CHECK(c.profile().dequant_ops_per_weight == 4);
}

TEST_CASE("the dequantisation parameters are optional profile keys, written only when changed", "[quant][calibration]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  const GpuCard g = cat.gpu("h200-sxm");
  FitResult fit;
  fit.profile = read_profile(g.profile_path, cat.data_dir(), g);
  CHECK(profile_toml(fit, "validation/data/h200", "test").find("[dequant]") == std::string::npos);
  fit.profile.dequant_tile_m = 64;
  fit.profile.dequant_ops_per_weight = 5;
  const std::string text = profile_toml(fit, "validation/data/h200", "test");
  CHECK(text.find("[dequant]") != std::string::npos);
  const std::string path = write_test_file("dequant_profile.toml", text);
  CalibrationProfile back = read_profile(path, cat.data_dir(), g);
  CHECK(back.dequant_tile_m == 64);
  CHECK(back.dequant_ops_per_weight == 5);
  // a misspelled key is an error
  std::string bad = text;
  bad.replace(bad.find("ops_per_weight"), 14, "ops_per_weigth");
  CHECK_THROWS_AS(read_profile(write_test_file("dequant_bad.toml", bad), cat.data_dir(), g), Error);
}

TEST_CASE("quantisation accuracy is documented metadata, not simulated", "[quant]") {
  const std::string dir = DSSIM_TEST_DATA_DIR;
  auto int8 = quantization_accuracy_notes(dir, Precision::int8, true);
  REQUIRE_FALSE(int8.empty());
  bool article = false;
  for (const auto& l : int8) {
    CHECK(l.find("documented, not simulated") != std::string::npos);
    CHECK(l.rfind("int8 weight-only: ", 0) == 0);
    if (l.find("1-3 %") != std::string::npos && l.find("article") != std::string::npos) article = true;
  }
  CHECK(article);
  CHECK(quantization_accuracy_notes(dir, Precision::bf16, false).empty());
  CHECK(quantization_accuracy_notes(dir, Precision::bf16, true).empty());
  for (const auto& l : quantization_accuracy_notes(dir, Precision::int8, false)) CHECK(l.rfind("int8 W8A8: ", 0) == 0);
  CHECK_FALSE(quantization_accuracy_notes(dir, Precision::int4, false).empty());
  CHECK_FALSE(quantization_accuracy_notes(dir, Precision::fp8, false).empty());
  CHECK_THROWS_AS(quantization_accuracy_notes("/nonexistent", Precision::int8, true), Error);
}
