#include "cost/calibration.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Least squares y = c0 + c1 * x; `relative` minimises relative rather than absolute residuals, so a
// small point counts as much as a large one.
std::pair<double, double> line_fit(const std::vector<double>& x, const std::vector<double>& y, bool relative = false) {
  Eigen::MatrixXd A(x.size(), 2);
  Eigen::VectorXd b(y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double w = relative ? 1.0 / y[i] : 1.0;
    A(static_cast<Eigen::Index>(i), 0) = w;
    A(static_cast<Eigen::Index>(i), 1) = w * x[i];
    b(static_cast<Eigen::Index>(i)) = w * y[i];
  }
  Eigen::Vector2d c = A.colPivHouseholderQr().solve(b);
  return {c(0), c(1)};
}

double elem_bytes(const std::string& dtype) {
  if (dtype == "fp8" || dtype == "int8") return 1;
  if (dtype == "bf16" || dtype == "fp16") return 2;
  return 4;
}
double out_bytes(const std::string& dtype) {
  if (dtype == "int8" || dtype == "fp32" || dtype == "tf32") return 4;
  return 2;
}

struct GemmPoint {
  double m, n, k, t, flops, bytes;
};

void fit_copies(const CsvTable& bw, const GpuCard& gpu, CalibrationProfile& p) {
  std::vector<double> x, y, pinned;
  for (std::size_t r = 0; r < bw.rows(); ++r) {
    const std::string& kind = bw.get(r, "kind");
    double bytes = bw.number(r, "bytes"), t = bw.number(r, "seconds");
    // Only copies large enough to be GPU-bound: below ~16 MiB the host's issue rate sets the time.
    if (kind == "d2d_copy" && bytes >= kGpuBoundCopyBytes && std::isfinite(t)) {
      x.push_back(2.0 * bytes);
      y.push_back(t);
    }
    if ((kind == "h2d_pinned" || kind == "d2h_pinned") && bytes >= kGpuBoundCopyBytes)
      pinned.push_back(bw.number(r, "GBps") * 1e9);
  }
  if (x.size() >= 2) {
    auto [t0, inv_bw] = line_fit(x, y, true);
    p.kernel_fixed_s = std::max(0.0, t0);
    p.copy_eff = (1.0 / inv_bw) / gpu.memory_bw_Bps;
  }
  if (!pinned.empty()) p.pcie_pinned_Bps = median(pinned);
}

void fit_gemm(const CsvTable& g, const GpuCard& gpu, CalibrationProfile& p) {
  std::map<std::string, std::vector<GemmPoint>> by_dtype;
  for (std::size_t r = 0; r < g.rows(); ++r) {
    std::string dt = g.get(r, "dtype");
    double M = g.number(r, "M"), N = g.number(r, "N"), K = g.number(r, "K"), t = g.number(r, "seconds");
    if (!std::isfinite(t) || t <= 0) continue;  // shape unsupported by the library
    double bytes = (M * K + K * N) * elem_bytes(dt) + M * N * out_bytes(dt);
    by_dtype[dt].push_back({M, N, K, t, 2.0 * M * N * K, bytes});
  }
  // Back-to-back calls from Python cannot go faster than the host issues them: the fastest call of a
  // dtype marks that floor (bf16: 19.6-21 us for 7b_o at M = 64..256, whose GPU work is ~10 us).
  // Calls within 30 % of it may measure the host, not the kernel: they stay out of the fit. In the
  // measured-shape table a call below twice the floor stays only if the fitted roofline says the GPU
  // needs at least 75 % of its time.
  std::map<std::string, std::vector<GemmPoint>> all = by_dtype;
  for (auto& [dt, pts] : by_dtype) {
    double fastest = 1e300;
    for (const auto& q : pts) fastest = std::min(fastest, q.t);
    p.gemm_host_floor_s[dt] = fastest;
    std::vector<GemmPoint> kept;
    for (const auto& q : pts)
      if (q.t >= kGemmFitFloorRatio * fastest) kept.push_back(q);
    pts = kept;
  }
  for (auto& [dt, pts] : by_dtype) {
    GemmFit f;
    double peak = gpu.peak(gpu.compute_precision(precision_of_gemm_dtype(dt)));
    std::vector<double> ec, em;
    for (const auto& q : pts) {
      if (q.m >= 2048) ec.push_back(q.flops / q.t / peak);
      if (q.m <= 32 && q.t > p.kernel_fixed_s) em.push_back(q.bytes / (q.t - p.kernel_fixed_s) / gpu.memory_bw_Bps);
    }
    if (!ec.empty()) f.eff_compute = median(ec);
    if (!em.empty()) f.eff_memory = median(em);
    // The corner's roundness: the exponent that best fits all points in log space.
    double best_n = 3, best_err = 1e300;
    for (double n = 1.0; n <= 12.0; n += 0.1) {
      double err = 0;
      for (const auto& q : pts) {
        double tc = q.flops / (peak * f.eff_compute), tm = q.bytes / (gpu.memory_bw_Bps * f.eff_memory);
        double pred = p.kernel_fixed_s + rounded_max(tc, tm, n);
        double e = std::log(pred / q.t);
        err += e * e;
      }
      if (err < best_err) {
        best_err = err;
        best_n = n;
      }
    }
    f.smooth_n = best_n;
    f.points = static_cast<int>(pts.size());
    p.gemm[dt] = f;
    for (const auto& q : all[dt]) {
      double tc = q.flops / (peak * f.eff_compute), tm = q.bytes / (gpu.memory_bw_Bps * f.eff_memory);
      double roof = p.kernel_fixed_s + rounded_max(tc, tm, f.smooth_n);
      if (q.t >= kGemmTableFloorRatio * p.gemm_host_floor_s[dt] || roof >= kGemmTableRoofShare * q.t)
        p.gemm_table[{dt, static_cast<long long>(q.n), static_cast<long long>(q.k)}].push_back({q.m, q.t});
    }
  }
  for (auto& [key, pts] : p.gemm_table) std::sort(pts.begin(), pts.end());
}

void fit_attention(const CsvTable& a, const GpuCard& gpu, CalibrationProfile& p) {
  const double peak = gpu.peak(gpu.compute_precision(Precision::bf16));
  std::vector<double> inv_s, inv_rate, dec;
  for (std::size_t r = 0; r < a.rows(); ++r) {
    double t = a.number(r, "seconds");
    if (!std::isfinite(t)) continue;
    if (a.get(r, "phase") == "prefill") {
      // Short calls are bound by the host's issue rate (~20-40 us floor), not by the kernel.
      if (t < kAttnPrefillHostFloorS) continue;
      double S = a.number(r, "q_len");
      double flops = a.number(r, "TFLOPs") * 1e12 * t;
      inv_s.push_back(1.0 / S);
      inv_rate.push_back((t - p.kernel_fixed_s) / flops);
    } else if (t >= kAttnDecodeHostFloorS) {
      dec.push_back(a.number(r, "GBps") * 1e9 / gpu.memory_bw_Bps);
    }
  }
  if (inv_s.size() >= 2) {
    auto [c0, c1] = line_fit(inv_s, inv_rate);  // 1/rate = 1/(P e) + S_half/(P e) * 1/S
    if (c0 > 0 && c1 >= 0) {
      p.attn_eff_max = 1.0 / (c0 * peak);
      p.attn_s_half = c1 / c0;
    }
  }
  if (!dec.empty()) p.attn_decode_eff = median(dec);
}

}  // namespace

double rounded_max(double tc, double tm, double n) {
  const double big = std::max(tc, tm);
  if (big <= 0) return 0;
  return big * std::pow(std::pow(tc / big, n) + std::pow(tm / big, n), 1.0 / n);
}

Precision precision_of_gemm_dtype(const std::string& dtype) {
  if (dtype == "bf16") return Precision::bf16;
  if (dtype == "fp16") return Precision::fp16;
  if (dtype == "fp8") return Precision::fp8;
  if (dtype == "int8") return Precision::int8;
  if (dtype == "tf32") return Precision::tf32;
  return Precision::fp32;
}

std::string gemm_table_dtype(Precision compute) {
  switch (compute) {
    case Precision::bf16:
    case Precision::fp16: return "bf16";
    case Precision::fp8: return "fp8";
    case Precision::int8: return "int8";
    case Precision::tf32: return "tf32";
    default: return "fp32";
  }
}

CalibrationProfile fit_calibration(const GpuCard& gpu) {
  namespace fs = std::filesystem;
  CalibrationProfile p;
  p.gpu_id = gpu.id;
  const fs::path dir(gpu.calibration_dir);
  for (const char* f : {"bandwidth.csv", "gemm.csv", "attention.csv"})
    if (!fs::is_regular_file(dir / f))
      throw Error(fmt("calibration of %s: missing %s in %s", gpu.id.c_str(), f, dir.string().c_str()));
  fit_copies(CsvTable::read((dir / "bandwidth.csv").string()), gpu, p);
  fit_gemm(CsvTable::read((dir / "gemm.csv").string()), gpu, p);
  fit_attention(CsvTable::read((dir / "attention.csv").string()), gpu, p);
  return p;
}

}  // namespace dssim
