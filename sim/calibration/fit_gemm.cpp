// GEMM fit: per measured dtype, a rounded roofline and, where the library runs a matrix-vector kernel at
// M = 1, a line of its own; host-bound calls are found and left out.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "calibration/fit_steps.hpp"
#include "calibration/nelder_mead.hpp"
#include "profile/gemm_points.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/stats.hpp"
#include "util/strings.hpp"
#include "util/timestamp.hpp"

namespace dssim {

namespace {

// ---------------------------------------------------------------- GEMM

// Least squares on log(pred/measured) over (log fixed, logit eff_compute, logit eff_memory, log(n - 1)):
// efficiencies stay in (0, 1), a GEMM cannot beat the datasheet. `fixed_em` > 0 holds eff_memory there.
GemmFit fit_gemm_points(const std::vector<GemmPoint>& pts, const std::string& dt, double peak, double bw, double fixed0,
                        double fixed_em = 0) {
  GemmFit f;
  std::vector<double> ec, em;
  for (const auto& q : pts) {
    if (q.m >= 2048) ec.push_back(2.0 * q.m * q.n * q.k / q.t / peak);
    if (q.m <= 32) em.push_back(gemm_bytes(dt, q.m, q.n, q.k) / q.t / bw);
  }
  if (!ec.empty()) f.eff_compute = median(ec);  // else GemmFit's starting values
  if (!em.empty()) f.eff_memory = median(em);
  f.fixed_s = fixed0;
  if (pts.size() < 4) return f;
  auto unpack = [&](const Eigen::VectorXd& x) {
    GemmFit g;
    g.fixed_s = std::exp(x(0));
    g.eff_compute = 1.0 / (1.0 + std::exp(-x(1)));
    g.eff_memory = fixed_em > 0 ? fixed_em : 1.0 / (1.0 + std::exp(-x(2)));
    g.smooth_n = 1.0 + std::exp(x(3));
    return g;
  };
  auto loss = [&](const Eigen::VectorXd& x) {
    GemmFit g = unpack(x);
    double s = 0;
    for (const auto& q : pts) {
      const double e = std::log(roofline_predict(g, q, dt, peak, bw) / q.t);
      s += e * e;
    }
    return s;
  };
  Eigen::VectorXd x0(4), scale(4);
  auto logit = [](double e) {
    e = std::clamp(e, 0.02, 0.98);
    return std::log(e / (1 - e));
  };
  x0 << std::log(std::max(fixed0, 1e-7)), logit(f.eff_compute), logit(f.eff_memory), std::log(2.0);
  scale << 0.5, 0.1, fixed_em > 0 ? 1e-9 : 0.1, 0.5;  // a held efficiency: a flat direction, kept tiny
  NelderMeadResult r = nelder_mead(loss, x0, scale, 3000, 1e-12);
  r = nelder_mead(loss, r.x, scale * 0.2, 3000, 1e-12);  // restart: the simplex collapses early
  GemmFit g = unpack(r.x);
  g.points = static_cast<int>(pts.size());
  return g;
}

// The M = 1 line, kept only where it predicts the GPU-bound M = 1 rows clearly better than the roofline:
// a matrix-vector kernel, memory-bound, with its own fixed cost and bandwidth share.
void fit_gemv(const std::vector<GemmPoint>& kept, const std::string& dt, double peak, double bw, GemmFit& f) {
  std::vector<double> x, y;
  std::vector<GemmPoint> ones;
  for (const auto& q : kept)
    if (q.m == 1) {
      x.push_back(gemm_bytes(dt, q.m, q.n, q.k));
      y.push_back(q.t);
      ones.push_back(q);
    }
  f.gemv_fixed_s = f.gemv_eff_memory = 0;
  if (ones.size() < kGemvMinPoints) return;
  auto [c0, c1] = line_fit(x, y, true);
  const double eff = c1 > 0 ? 1.0 / (c1 * bw) : 0;
  if (!(c0 >= 0 && eff > 0 && eff <= 1)) return;  // not a physical line: leave M = 1 to the roofline
  std::vector<double> line, roof;
  for (std::size_t i = 0; i < ones.size(); ++i) {
    line.push_back(rel(c0 + x[i] * c1, y[i]));
    roof.push_back(rel(roofline_predict(f, ones[i], dt, peak, bw), y[i]));
  }
  if (median(roof) - median(line) > kGemvMinGain) {
    f.gemv_fixed_s = c0;
    f.gemv_eff_memory = eff;
  }
}

// Fit, classify, refit until the host-bound set stops changing (it shrinks the fixed cost, which can
// expose more host-bound rows). `kernel_fixed_s`: the copy fits' per-kernel cost.
GemmFit fit_gemm_dtype(const std::vector<GemmPoint>& all, const std::string& dt, double peak, double bw,
                       double kernel_fixed_s, std::vector<GemmPoint>* gpu_bound, double fixed_em = 0) {
  double fastest = 1e300;
  for (const auto& q : all) fastest = std::min(fastest, q.t);
  std::vector<GemmPoint> kept;
  for (const auto& q : all)
    if (q.t >= kGemmFitFloorRatio * fastest) kept.push_back(q);
  GemmFit f = fit_gemm_points(kept, dt, peak, bw, kernel_fixed_s, fixed_em);
  f.host_floor_s = fastest;
  std::vector<bool> mask;
  for (int round = 0; round < kGemmHostRounds; ++round) {
    std::vector<bool> next;
    for (const auto& q : all) next.push_back(!host_bound(f, q, dt, peak, bw, kernel_fixed_s));
    if (next == mask) break;
    mask = next;
    kept.clear();
    for (std::size_t i = 0; i < all.size(); ++i)
      if (mask[i]) kept.push_back(all[i]);
    f = fit_gemm_points(kept, dt, peak, bw, f.fixed_s, fixed_em);
    f.host_floor_s = fastest;
  }
  fit_gemv(kept, dt, peak, bw, f);
  if (gpu_bound) *gpu_bound = kept;
  return f;
}



}  // namespace

void fit_gemm(const std::string& path, const GpuCard& gpu, CalibrationProfile& p, FitReport& rep) {
  CsvTable g = CsvTable::read(path);
  std::map<std::string, std::vector<GemmPoint>> by_dtype;
  static const std::vector<std::string> kDtypes{"bf16", "fp16", "fp8", "int8", "tf32", "fp32"};
  for (std::size_t r = 0; r < g.rows(); ++r) {
    const std::string dt = g.get(r, "dtype");
    if (std::find(kDtypes.begin(), kDtypes.end(), dt) == kDtypes.end())
      throw Error(fmt("%s: dtype '%s': expected one of %s", g.where(r).c_str(), dt.c_str(), join(kDtypes, ", ").c_str()));
    const double m = g.number(r, "M"), n = g.number(r, "N"), k = g.number(r, "K");
    for (const auto& [name, v] : {std::pair{"M", m}, {"N", n}, {"K", k}})
      if (!(v >= 1 && v <= 1e9 && v == std::floor(v)))
        throw Error(fmt("%s: %s = %g: a GEMM dimension is a whole number from 1 to 10^9", g.where(r).c_str(), name, v));
    const double t = g.number(r, "seconds");
    if (std::isnan(t)) continue;  // a shape the library does not support
    if (!(t > 0 && t < 1e3))
      throw Error(fmt("%s: seconds = %g: a GEMM takes more than 0 and less than 1000 s", g.where(r).c_str(), t));
    by_dtype[dt].push_back({g.get(r, "layer"), m, n, k, t});
  }
  if (by_dtype.empty())
    throw Error(fmt("%s: no timed GEMM rows (every 'seconds' is nan, or only the header is there): nothing to fit", path.c_str()));
  std::vector<double> all_in, all_cv;
  for (const auto& [dt, pts] : by_dtype) {
    const double peak = gpu.peak(gpu.compute_precision(precision_of_gemm_dtype(dt)));
    std::vector<GemmPoint> kept;
    GemmFit f = fit_gemm_dtype(pts, dt, peak, gpu.memory_bw_Bps, p.kernel_fixed_s, &kept);
    // A memory efficiency at the datasheet bound is not measured, it is what a soft corner and a large fixed
    // cost left over (int8 on the H200: no rows below M = 32, slow kernels above). Streaming weights is the
    // same memory system for every dtype: hold bf16's value and fit the other three.
    double held_em = 0;
    if (dt != "bf16" && f.eff_memory >= kGemmMemoryPinned && p.gemm.count("bf16")) {
      held_em = p.gemm.at("bf16").eff_memory;
      f = fit_gemm_dtype(pts, dt, peak, gpu.memory_bw_Bps, p.kernel_fixed_s, &kept, held_em);
      rep.gemm_memory_held.insert(dt);
    }
    if (kept.size() < kGemmMinPoints) {
      // bf16 is every other dtype's stand-in (fp16, and dtypes a GPU was not measured in): it must be there
      if (dt == "bf16")
        throw Error(fmt("%s: %zu GPU-bound bf16 rows, need at least %zu (M from 1 to 8192 of one layer shape is enough)",
                        path.c_str(), kept.size(), kGemmMinPoints));
      rep.warnings.push_back(fmt("%s: %zu GPU-bound %s rows, need at least %zu: %s left out of the profile, its GEMMs "
                                 "will use bf16's efficiencies", path.c_str(), kept.size(), dt.c_str(), kGemmMinPoints,
                                 dt.c_str()));
      continue;
    }
    p.gemm[dt] = f;
    rep.gemm_host_bound[dt] = static_cast<int>(pts.size() - kept.size());
    std::vector<double> in, cv;
    for (const auto& q : kept) in.push_back(rel(gemm_predict(f, q, dt, peak, gpu.memory_bw_Bps), q.t));
    // leave one layer shape out: refit without it (same host-bound rule), predict its points
    std::set<std::string> layers;
    for (const auto& q : kept) layers.insert(q.layer);
    for (const auto& layer : layers) {
      std::vector<GemmPoint> train, test;
      for (const auto& q : pts) (q.layer == layer ? test : train).push_back(q);
      GemmFit h = fit_gemm_dtype(train, dt, peak, gpu.memory_bw_Bps, p.kernel_fixed_s, nullptr, held_em);
      for (const auto& q : test)
        if (!host_bound(f, q, dt, peak, gpu.memory_bw_Bps, p.kernel_fixed_s)) cv.push_back(rel(gemm_predict(h, q, dt, peak, gpu.memory_bw_Bps), q.t));
    }
    all_in.insert(all_in.end(), in.begin(), in.end());
    all_cv.insert(all_cv.end(), cv.begin(), cv.end());
    rep.gemm_by_dtype[dt] = error_stats(in, cv);
  }
  if (!p.gemm.count("bf16"))
    throw Error(fmt("%s: no bf16 rows: bf16 is needed, it stands in for every dtype that was not measured", path.c_str()));
  rep.gemm = error_stats(all_in, all_cv);
}

}  // namespace dssim
