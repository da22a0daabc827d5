// dssim-validate: compares the cost model with every real measurement in a calibration folder and
// prints the error tables. The GEMM rows use the fitted roofline alone (the measured-shape lookup
// would reproduce its own input), leaving each layer shape out of its own fit is issue #4's work.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "config/catalog.hpp"
#include "cost/kernel_cost.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

using namespace dssim;

namespace {

struct Errors {
  std::vector<double> rel;
  void add(double pred, double meas) { rel.push_back(std::fabs(pred - meas) / meas); }
  double pct(double q) const {
    if (rel.empty()) return std::nan("");
    std::vector<double> v = rel;
    std::sort(v.begin(), v.end());
    return 100.0 * v[static_cast<std::size_t>(std::min<double>(v.size() - 1, std::floor(q * (v.size() - 1) + 0.5)))];
  }
};

void row(const std::string& name, const Errors& e) {
  std::printf("  %-34s %5zu   %7.1f %%  %7.1f %%  %7.1f %%\n", name.c_str(), e.rel.size(), e.pct(0.5), e.pct(0.9), e.pct(1.0));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string gpu_id = "h200-sxm";
    bool verbose = false, check = false;
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--verbose") verbose = true;
      else if (a == "--check") check = true;
      else gpu_id = a;
    }
    Catalog cat = Catalog::from_environment();
    GpuCard gpu = cat.gpu(gpu_id);
    if (gpu.calibration_dir.empty()) throw Error(gpu_id + " has no measurements to validate against");
    KernelCostModel cost = make_cost_model(gpu, cat);
    const CalibrationProfile& p = cost.profile();
    std::printf("dssim-validate %s: cost model vs measurements in %s\n\n", gpu_id.c_str(), gpu.calibration_dir.c_str());
    std::printf("Fitted profile\n");
    std::printf("  kernel fixed cost %.2f us; element-wise bandwidth %.0f GB/s (%.1f %% of %.0f GB/s)\n",
                p.kernel_fixed_s * 1e6, p.copy_eff * gpu.memory_bw_Bps / 1e9, p.copy_eff * 100, gpu.memory_bw_Bps / 1e9);
    for (const auto& [dt, f] : p.gemm)
      std::printf("  gemm %-5s compute eff %.3f (%.0f TFLOP/s), memory eff %.3f (%.0f GB/s), corner n = %.1f, %d points\n",
                  dt.c_str(), f.eff_compute, f.eff_compute * gpu.peak(gpu.compute_precision(precision_of_gemm_dtype(dt))) / 1e12,
                  f.eff_memory, f.eff_memory * gpu.memory_bw_Bps / 1e9, f.smooth_n, f.points);
    std::printf("  attention prefill: %.0f TFLOP/s x S/(S + %.0f); decode KV read %.0f GB/s\n",
                p.attn_eff_max * gpu.peak(Precision::bf16) / 1e12, p.attn_s_half, p.attn_decode_eff * gpu.memory_bw_Bps / 1e9);
    std::printf("  PCIe pinned %.1f GB/s per direction\n\n", p.pcie_pinned_Bps / 1e9);

    std::printf("Error |predicted - measured| / measured    points    median       p90       max\n");
    // GEMMs: the fitted roofline over every measured shape.
    CsvTable g = CsvTable::read(gpu.calibration_dir + "/gemm.csv");
    std::map<std::string, Errors> by_dtype;
    Errors all_gemm, decode_gemm, prefill_gemm;
    for (std::size_t r = 0; r < g.rows(); ++r) {
      double t = g.number(r, "seconds");
      if (!std::isfinite(t)) continue;
      std::string dt = g.get(r, "dtype");
      double M = g.number(r, "M"), N = g.number(r, "N"), K = g.number(r, "K");
      Precision w = precision_of_gemm_dtype(dt);
      Precision act = (w == Precision::fp32 || w == Precision::tf32) ? Precision::fp32 : Precision::bf16;
      double pred = cost.gemm_roofline(M, N, K, 1, w, act);
      by_dtype["gemm " + dt].add(pred, t);
      all_gemm.add(pred, t);
      (M <= 128 ? decode_gemm : prefill_gemm).add(pred, t);
      if (verbose) std::printf("    %s %s M=%g pred %.3g meas %.3g\n", dt.c_str(), g.get(r, "layer").c_str(), M, pred, t);
    }
    for (const auto& [k, e] : by_dtype) row(k + " (roofline)", e);
    row("gemm, M <= 128 (decode shapes)", decode_gemm);
    row("gemm, M > 128 (prefill shapes)", prefill_gemm);
    row("gemm, all", all_gemm);

    // Attention: the fitted model; calls faster than the host's issue floor are listed apart.
    CsvTable a = CsvTable::read(gpu.calibration_dir + "/attention.csv");
    Errors pre, dec, floor;
    for (std::size_t r = 0; r < a.rows(); ++r) {
      const double D = a.number(r, "head_dim"), t = a.number(r, "seconds");
      const int kv_heads = static_cast<int>(a.number(r, "kv_heads"));
      Op op = make_attention_op(a.get(r, "phase") == "prefill", static_cast<int>(a.number(r, "batch")),
                                a.number(r, "q_len"), a.number(r, "kv_len"), static_cast<int>(a.number(r, "heads")),
                                kv_heads, D, D, false, 2.0 * kv_heads * D * 2, 2);  // bf16 K and V
      double pred = cost.attention_time(op);
      bool host_floor = t < (op.prefill ? kAttnPrefillHostFloorS : kAttnDecodeHostFloorS);
      (host_floor ? floor : (op.prefill ? pre : dec)).add(pred, t);
      if (verbose) std::printf("    attn %s B=%d S=%g C=%g pred %.3g meas %.3g%s\n", a.get(r, "phase").c_str(), op.batch, op.q_len, op.kv_len, pred, t, host_floor ? " (host floor)" : "");
    }
    row("attention prefill", pre);
    row("attention decode", dec);
    row("attention below host floor (info)", floor);

    // Bandwidth: element-wise copies above the host floor.
    CsvTable b = CsvTable::read(gpu.calibration_dir + "/bandwidth.csv");
    Errors copies;
    for (std::size_t r = 0; r < b.rows(); ++r) {
      if (b.get(r, "kind") != "d2d_copy" || b.number(r, "bytes") < kGpuBoundCopyBytes) continue;
      double t = b.number(r, "seconds");
      copies.add(cost.elementwise_time(2.0 * b.number(r, "bytes")), t);
    }
    row("HBM copies >= 16 MiB", copies);

    // --check: regression guards (not accuracy claims): the fit must keep describing its own data.
    if (check) {
      struct Bound { const char* what; double value, limit; };
      const Bound bounds[] = {{"gemm bf16 median", by_dtype["gemm bf16"].pct(0.5), 10},
                              {"gemm prefill-shape median", prefill_gemm.pct(0.5), 10},
                              {"attention prefill median", pre.pct(0.5), 10},
                              {"attention decode median", dec.pct(0.5), 10},
                              {"HBM copies max", copies.pct(1.0), 5}};
      int bad = 0;
      for (const auto& b : bounds)
        if (!(b.value <= b.limit)) {
          std::printf("CHECK FAILED: %s %.1f %% > %.0f %%\n", b.what, b.value, b.limit);
          ++bad;
        }
      std::printf("%s\n", bad ? "validation checks failed" : "validation checks passed");
      return bad ? 1 : 0;
    }
    return 0;
  } catch (const Error& e) {
    std::cerr << "dssim-validate: " << e.what() << "\n";
    return 1;
  }
}
