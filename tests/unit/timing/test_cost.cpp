#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <tuple>

#include "config/catalog.hpp"
#include "calibration/fitter.hpp"
#include "profile/gpu_profile.hpp"
#include "config/runtime_profile.hpp"
#include "model/operators.hpp"
#include "timing/kernel_cost.hpp"
#include "test_files.hpp"
#include "timing/toy_cost.hpp"
#include "util/strings.hpp"

using namespace dssim;

using test::toy_gpu;
using test::toy_profile;

TEST_CASE("roofline GEMM: memory-bound small M, compute-bound large M", "[cost]") {
  KernelCostModel c(toy_gpu(), toy_profile(), false);
  // M=1, N=K=1000 in bf16: 2 MFLOP (0.04 us at 50 TFLOP/s) vs 2,004,000 B at 0.5 TB/s = 4.008 us
  CHECK(c.gemm_roofline(1, 1000, 1000, 1, Precision::bf16, Precision::bf16) == Approx(2e-6 + 4.008e-6));
  // M=10000: 20 GFLOP at 50 TFLOP/s = 400 us; bytes 42 MB at 0.5 TB/s = 84 us
  CHECK(c.gemm_roofline(10000, 1000, 1000, 1, Precision::bf16, Precision::bf16) == Approx(2e-6 + 400e-6).epsilon(1e-6));
  // grouped: one kernel, the fixed cost once
  CHECK(c.gemm_roofline(1, 1000, 1000, 4, Precision::bf16, Precision::bf16) == Approx(2e-6 + 4 * 4.008e-6));
  // int4 weights: a quarter of the bf16 weight bytes plus scales, 16-bit compute
  double w4 = 1000.0 * 1000 * (0.5 + 2.0 / 128);
  CHECK(c.gemm_roofline(1, 1000, 1000, 1, Precision::int4, Precision::bf16) == Approx(2e-6 + (w4 + 4000) / 0.5e12));
}

TEST_CASE("element-wise and attention times", "[cost]") {
  KernelCostModel c(toy_gpu(), toy_profile(), false);
  CHECK(c.elementwise_time(8e6) == Approx(2e-6 + 8e6 / 0.8e12));
  Op a;
  a.kind = OpKind::attention;
  a.prefill = true;
  a.q_len = 100;
  a.flops = 1e12;
  a.bytes = 1e6;
  // rate = 100 TFLOP/s x 0.5 x 100 / (100 + 100) = 25 TFLOP/s
  CHECK(c.attention_time(a) == Approx(2e-6 + 1e12 / 25e12));
  a.prefill = false;
  a.flops = 1e6;
  a.bytes = 1e9;
  CHECK(c.attention_time(a) == Approx(2e-6 + 1e9 / 0.5e12));
}

TEST_CASE("a strided element-wise kernel: the slower of its bytes and its index arithmetic, by hand", "[cost]") {
  GpuCard g = toy_gpu();
  g.sm_count = 100;
  g.boost_clock_mhz = 1000;  // 1e11 SM-cycles per second
  KernelCostModel c(g, toy_profile(), false);
  // no rate from the runtime: every kernel by its bytes
  CHECK(c.elementwise_time(8e6, 1e6) == Approx(2e-6 + 8e6 / 0.8e12));
  c.set_strided_rate(1.25);  // 1.25e11 elements per second
  // 4e6 bytes take 5 us at 0.8 TB/s; 1e6 strided outputs take 8 us: the arithmetic sets the pace
  CHECK(c.elementwise_time(4e6, 1e6) == Approx(2e-6 + 8e-6));
  // 16e6 bytes take 20 us: then the memory does
  CHECK(c.elementwise_time(16e6, 1e6) == Approx(2e-6 + 20e-6));
  // a contiguous kernel (no strided outputs) is not touched
  CHECK(c.elementwise_time(4e6) == Approx(2e-6 + 5e-6));
  Op o;
  o.kind = OpKind::elementwise;
  o.bytes = 4e6;
  o.strided_outputs = 1e6;
  c.set_in_model_cost(1e-6);
  CHECK(c.gpu_time(o) == Approx(1e-6 + 2e-6 + 8e-6));
  // no tensor-core work: its bytes spread over the longer time for the power model, and the 8 us of index
  // arithmetic are the clock-paced `issue` part, which throttling stretches
  CHECK(c.compute_time(o) == 0);
  CHECK(c.memory_bytes(o) == Approx(4e6));
  CHECK(c.costs(o).issue == Approx(8e-6));
  o.bytes = 16e6;  // the memory sets the pace: nothing for the clock
  CHECK(c.costs(o).issue == 0);
}

TEST_CASE("attention priced once per step: the same figures, bit for bit, as costs() and attention_time()", "[cost]") {
  KernelCostModel c(toy_gpu(), toy_profile(), false);
  c.set_in_model_cost(3e-6);
  Op a;
  a.kind = OpKind::attention;
  for (bool prefill : {true, false})
    for (double flops : {1e6, 1e12}) {  // memory-bound (no clock-paced share) and compute-bound
      a.prefill = prefill;
      a.q_len = 100;
      a.flops = flops;
      a.bytes = 1e9;
      double kernel = 0;
      const KernelCostModel::Costs fast = c.attention_costs(a, kernel), slow = c.costs(a);
      CHECK(kernel == c.attention_time(a));
      CHECK(fast.gpu == slow.gpu);
      CHECK(fast.compute == slow.compute);
      CHECK(fast.memory_bytes == slow.memory_bytes);
      CHECK((flops > 1e9) == (fast.compute > 0));
    }
}

TEST_CASE("inside a model's forward: Python around each op, and each kernel's extra GPU time", "[cost]") {
  KernelCostModel c(toy_gpu(), toy_profile(), false);
  RuntimeProfile rt;
  rt.gemm_s = 20e-6;
  rt.elementwise_s = 10e-6;
  rt.view_s = 2e-6;
  rt.python_op_s = 4.5e-6;
  rt.host_speed_scale = 2;  // a host twice as fast halves both
  Op g = make_gemm_op("g", 1, 1000, 1000, Precision::bf16, Precision::bf16, false);
  CHECK(c.host_time(g, rt) == Approx((20e-6 + 4.5e-6) / 2));
  Op views;
  views.kind = OpKind::host_only;
  views.host_ops = 3;  // three views: each pays the floor and the Python around it
  CHECK(c.host_time(views, rt) == Approx(3 * (2e-6 + 4.5e-6) / 2));
  Op e;
  e.kind = OpKind::elementwise;
  e.bytes = 8e6;
  const double bare = c.gpu_time(e);
  CHECK(bare == Approx(2e-6 + 8e6 / 0.8e12));
  c.set_in_model_cost(0.44e-6);
  CHECK(c.gpu_time(e) == Approx(bare + 0.44e-6));
  CHECK(c.gpu_time(g) == Approx(c.gemm_time(1, 1000, 1000, 1, Precision::bf16, Precision::bf16) + 0.44e-6));
  CHECK(c.gpu_time(views) == 0);  // no kernel, no GPU time
}

TEST_CASE("a calibrated GPU uses its measured GEMM shapes, linear in M between points", "[cost][calibration]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  GpuCard g = cat.gpu("h200-sxm");
  KernelCostModel c = KernelCostModel(g, load_gpu_profile(g, cat));
  REQUIRE(c.own_measurements());
  // gemm.csv: bf16 7b_o (N=K=4096) M=1024: 4.58464003e-05 s, M=2048: 9.62730956e-05 s
  CHECK(c.gemm_time(1024, 4096, 4096, 1, Precision::bf16, Precision::bf16) == Approx(4.58464003e-05));
  CHECK(c.gemm_time(1536, 4096, 4096, 1, Precision::bf16, Precision::bf16) == Approx(0.5 * (4.58464003e-05 + 9.62730956e-05)));
  // 7b_o at M = 1 was timed at the host's issue floor (26 us for 33.5 MB of weights): not GPU time
  CHECK(c.gemm_time(1, 4096, 4096, 1, Precision::bf16, Precision::bf16) ==
        Approx(c.gemm_roofline(1, 4096, 4096, 1, Precision::bf16, Precision::bf16)));
  CHECK(c.gemm_time(1, 4096, 4096, 1, Precision::bf16, Precision::bf16) < 15e-6);
  // 7b_qkv at M = 1 (28.6 us for 100 MB) is GPU-bound and kept as measured
  CHECK(c.gemm_time(1, 12288, 4096, 1, Precision::bf16, Precision::bf16) == Approx(2.85856674e-05));
  // beyond the largest measured M the time grows linearly (compute-bound)
  CHECK(c.gemm_time(16384, 4096, 4096, 1, Precision::bf16, Precision::bf16) == Approx(2 * 0.000390349603));
  // an uncalibrated A100 borrows efficiencies, never the H200's measured times
  KernelCostModel a = KernelCostModel(cat.gpu("a100-80g-sxm"), load_gpu_profile(cat.gpu("a100-80g-sxm"), cat));
  CHECK_FALSE(a.own_measurements());
  CHECK(a.profile().gemm_table.empty());
  CHECK(a.gemm_time(1024, 4096, 4096, 1, Precision::bf16, Precision::bf16) > c.gemm_time(1024, 4096, 4096, 1, Precision::bf16, Precision::bf16));
}

TEST_CASE("the H200 fit lands on physically sensible values", "[cost][calibration]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  const FitResult fit = fit_measurements(std::string(DSSIM_TEST_DATA_DIR) + "/validation/data/h200", cat.gpu("h200-sxm"));
  const CalibrationProfile& p = fit.profile;
  // No GEMM streams weights at the datasheet bandwidth: int8's own fit reaches it (no rows below M = 32, slow
  // kernels above), so it holds bf16's memory efficiency; every dtype stays clear of the bound.
  CHECK(fit.report.gemm_memory_held.count("int8") == 1);
  CHECK(p.gemm.at("int8").eff_memory == p.gemm.at("bf16").eff_memory);
  for (const auto& [dt, f] : p.gemm) CHECK(f.eff_memory < kGemmMemoryPinned);
  // README of the measurements: ~4.27 TB/s copies, bf16 GEMMs 670-790 TFLOP/s, PCIe ~55 GB/s
  CHECK(p.copy_eff * 4800 == Approx(4250).margin(150));
  CHECK(p.gemm.at("bf16").eff_compute * 989.4 == Approx(700).margin(60));
  // a decode-shaped GEMM streams its weights at 3.2-3.9 TB/s (README), fixed cost included
  const GemmFit& f = p.gemm.at("bf16");
  const double w = 100e6, t = f.fixed_s + w / (4.8e12 * f.eff_memory);
  CHECK(w / t / 1e12 == Approx(3.55).margin(0.35));
  // 1 GiB pinned host-to-device took 19.5 ms (55.1 GB/s)
  CHECK(p.pcie_latency_s + 1073741824.0 / p.pcie_pinned_Bps == Approx(0.01949).epsilon(0.08));
  CHECK(p.kernel_fixed_s > 0.5e-6);
  CHECK(p.kernel_fixed_s < 5e-6);
  CHECK(p.attn_decode_eff * 4800 == Approx(4500).margin(200));
}

TEST_CASE("GEMM fit: host-bound rows are found and left out, and the planted roofline comes back", "[cost][calibration]") {
  // Planted truth on the H200 card: t = 3 us + rounded_max(tc, tm, 8), e_c = 0.7, e_m = 0.85, behind a host that
  // cannot issue a call faster than 16 us. The 4096 x 4096 layer at M <= 128 needs ~11-13 us of GPU: those
  // eight rows time the host, at 21.5 us (M <= 8, a slower call path, as 7b_o on the H200) and at the floor.
  // The 21.5 us rows enter the first fit (above 1.3x the floor) and inflate its fixed cost; judged with that
  // fixed cost, the 16 us rows looked GPU-bound and stayed in.
  Catalog cat(DSSIM_TEST_DATA_DIR);
  const GpuCard gpu = cat.gpu("h200-sxm");
  const double peak = gpu.peak(Precision::bf16), bw = gpu.memory_bw_Bps;
  std::string csv = "dtype,layer,M,N,K,seconds,TFLOPs,GBps\n";
  int planted = 0;
  for (auto [name, n, k] : {std::tuple{"sq", 4096.0, 4096.0}, {"wide", 12288.0, 4096.0}, {"tall", 4096.0, 11008.0},
                            {"big", 22016.0, 4096.0}, {"huge", 8192.0, 8192.0}}) {
    for (double m = 1; m <= 8192; m *= 2) {
      const double tc = 2 * m * n * k / (peak * 0.7), tm = gemm_bytes("bf16", m, n, k) / (bw * 0.85);
      double t = std::max(16e-6, 3e-6 + rounded_max(tc, tm, 8));
      if (std::string(name) == "sq" && m <= 128) {
        REQUIRE(3e-6 + rounded_max(tc, tm, 8) < 0.75 * 16e-6);  // the GPU part really is far under the floor
        if (m <= 8) t = 21.5e-6;
        ++planted;
      }
      csv += fmt("bf16,%s,%g,%g,%g,%.9g,0,0\n", name, m, n, k, t);
    }
  }
  const std::string h200 = std::string(DSSIM_TEST_DATA_DIR) + "/validation/data/h200/";
  const std::string g = write_test_file("gemm.csv", csv);
  const auto dir = std::filesystem::path(g).parent_path();
  std::filesystem::copy_file(h200 + "bandwidth.csv", dir / "bandwidth.csv", std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(h200 + "attention.csv", dir / "attention.csv", std::filesystem::copy_options::overwrite_existing);
  const FitResult r = fit_measurements(dir.string(), gpu);
  CHECK(planted == 8);  // M = 1, 2, ..., 128
  CHECK(r.report.gemm_host_bound.at("bf16") == planted);
  const GemmFit& f = r.profile.gemm.at("bf16");
  CHECK(f.fixed_s == Approx(3e-6).epsilon(0.1));  // M = 256 of that layer sits at the floor, 3 % above its GPU time
  CHECK(f.eff_compute == Approx(0.7).epsilon(0.01));
  CHECK(f.eff_memory == Approx(0.85).epsilon(0.01));
  CHECK(r.report.gemm_by_dtype.at("bf16").median < 0.005);
  // the measured-shape table keeps the GPU-bound rows only: the 4096 x 4096 layer starts at M = 256
  const auto& sq = r.profile.gemm_table.at({"bf16", 4096, 4096});
  CHECK(sq.front().first == 256);
  CHECK_FALSE(f.has_gemv());  // M = 1 lies on the roofline: no line of its own
}

TEST_CASE("GEMM fit: M = 1 on its own line where a matrix-vector kernel beats the roofline", "[cost][calibration]") {
  // Planted: the roofline of the test above for M >= 2; M = 1 at 2 us + bytes / (BW x 0.92), the fp32 pattern
  // of the H200 (3.3 us, 0.88 there, against a roofline fixed cost of 27 us).
  Catalog cat(DSSIM_TEST_DATA_DIR);
  const GpuCard gpu = cat.gpu("h200-sxm");
  const double peak = gpu.peak(Precision::bf16), bw = gpu.memory_bw_Bps;
  std::string csv = "dtype,layer,M,N,K,seconds,TFLOPs,GBps\n";
  for (auto [name, n, k] : {std::tuple{"wide", 12288.0, 4096.0}, {"tall", 4096.0, 11008.0}, {"big", 22016.0, 4096.0},
                            {"huge", 8192.0, 8192.0}}) {
    for (double m = 1; m <= 8192; m *= 2) {
      const double tc = 2 * m * n * k / (peak * 0.7), tm = gemm_bytes("bf16", m, n, k) / (bw * 0.85);
      const double t = m == 1 ? 2e-6 + gemm_bytes("bf16", m, n, k) / (bw * 0.92) : 3e-6 + rounded_max(tc, tm, 8);
      csv += fmt("bf16,%s,%g,%g,%g,%.9g,0,0\n", name, m, n, k, t);
    }
  }
  const std::string h200 = std::string(DSSIM_TEST_DATA_DIR) + "/validation/data/h200/";
  const auto dir = std::filesystem::path(write_test_file("gemm.csv", csv)).parent_path();
  std::filesystem::copy_file(h200 + "bandwidth.csv", dir / "bandwidth.csv", std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(h200 + "attention.csv", dir / "attention.csv", std::filesystem::copy_options::overwrite_existing);
  const FitResult r = fit_measurements(dir.string(), gpu);
  const GemmFit& f = r.profile.gemm.at("bf16");
  REQUIRE(f.has_gemv());
  CHECK(f.gemv_fixed_s == Approx(2e-6).epsilon(0.05));
  CHECK(f.gemv_eff_memory == Approx(0.92).epsilon(0.005));
  CHECK(f.eff_memory == Approx(0.85).epsilon(0.02));
  CHECK(r.report.gemm_by_dtype.at("bf16").median < 0.005);

  // The cost model takes the line at M = 1 (not clock-paced), the roofline from M = 2.
  CalibrationProfile p = toy_profile();
  GemmFit& g = p.gemm["bf16"];
  g.gemv_fixed_s = 1e-6;
  g.gemv_eff_memory = 0.9;
  KernelCostModel km(toy_gpu(), p, false);
  const double bytes = 2.0 * (4096 + 4096 * 4096 + 4096);  // A, W, C in bf16 at M = 1
  CHECK(km.gemm_time(1, 4096, 4096, 1, Precision::bf16, Precision::bf16) == Approx(1e-6 + bytes / (1e12 * 0.9)));
  const double bytes2 = 2.0 * (2 * 4096 + 4096 * 4096 + 2 * 4096);
  CHECK(km.gemm_time(2, 4096, 4096, 1, Precision::bf16, Precision::bf16) ==
        Approx(2e-6 + std::max(2 * 2 * 4096.0 * 4096 / (100e12 * 0.5), bytes2 / (1e12 * 0.5))).epsilon(1e-3));
  CHECK(km.compute_time(make_gemm_op("gemv", 1, 4096, 4096, Precision::bf16, Precision::bf16, false)) == 0.0);
  // grouped GEMMs (MoE experts) keep the roofline
  CHECK(km.gemm_time(1, 4096, 4096, 2, Precision::bf16, Precision::bf16) > 2e-6 + 2 * bytes / (1e12 * 0.5) * 0.99);
}

TEST_CASE("uncalibrated GPUs borrow from the calibrated GPU of the nearest architecture", "[cost][calibration]") {
  auto card = [](const std::string& id, const std::string& arch, bool calibrated) {
    GpuCard g;
    g.id = id;
    g.architecture = arch;
    if (calibrated) g.profile_path = "/profiles/" + id + ".toml";
    return g;
  };
  std::vector<GpuCard> cards{card("a100", "ampere", true), card("h200", "hopper", true), card("t4", "turing", false),
                             card("l40s", "ada", false), card("h100", "hopper", false), card("v100", "volta", false)};
  CHECK(nearest_calibrated(cards[4], cards)->id == "h200");  // same architecture
  CHECK(nearest_calibrated(cards[2], cards)->id == "a100");  // turing -> ampere, one generation
  CHECK(nearest_calibrated(cards[3], cards)->id == "h200");  // ada: ampere and hopper equally near, the newer
  CHECK(nearest_calibrated(cards[5], cards)->id == "a100");
  std::vector<GpuCard> none{card("t4", "turing", false)};
  CHECK(nearest_calibrated(none[0], none) == nullptr);
  Catalog cat(DSSIM_TEST_DATA_DIR);
  KernelCostModel k = KernelCostModel(cat.gpu("l40s"), load_gpu_profile(cat.gpu("l40s"), cat));
  CHECK(k.profile().gpu_id == "l40s (efficiencies of h200-sxm)");
}

TEST_CASE("the clock-paced share of a GEMM: the compute term of the rounded roofline", "[cost]") {
  CHECK(rounded_share(1, 1, 3) == Approx(0.5));
  CHECK(rounded_share(2, 1, 1) == Approx(2.0 / 3));
  CHECK(rounded_share(1, 2, 2) == Approx(0.2));
  // a sharp corner on microsecond terms: plain powers would underflow to 0/0
  CHECK(rounded_share(1e-5, 2e-5, 1000) == Approx(0).margin(1e-12));
  CHECK(rounded_share(2e-5, 1e-5, 1000) == Approx(1));
  KernelCostModel c(toy_gpu(), toy_profile(), false);  // smooth_n = 1000
  Op g;
  g.kind = OpKind::gemm;
  g.n = g.k = 1000;
  g.m = 10000;  // compute-bound (400 us vs 84 us): all but the fixed 2 us follows the clock
  CHECK(c.compute_time(g) == Approx(c.gpu_time(g) - 2e-6));
  g.m = 1;  // memory-bound: none of it does
  CHECK(c.compute_time(g) == Approx(0).margin(1e-15));
}
