#include "calibration/fitter.hpp"
#include "profile/profile_reader.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "calibration/nelder_mead.hpp"
#include "profile/gemm_points.hpp"
#include "util/csv.hpp"
#include "util/stats.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/timestamp.hpp"

namespace dssim {

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  return nearest_rank(v, q);
}

double rel(double pred, double meas) { return std::fabs(pred - meas) / meas; }

// Least squares y = c0 + c1 * x; `relative` weighs each residual by 1/y.
std::pair<double, double> line_fit(const std::vector<double>& x, const std::vector<double>& y, bool relative) {
  Eigen::MatrixXd A(static_cast<Eigen::Index>(x.size()), 2);
  Eigen::VectorXd b(static_cast<Eigen::Index>(y.size()));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double w = relative ? 1.0 / y[i] : 1.0;
    const auto r = static_cast<Eigen::Index>(i);
    A(r, 0) = w;
    A(r, 1) = w * x[i];
    b(r) = w * y[i];
  }
  Eigen::Vector2d c = A.colPivHouseholderQr().solve(b);
  return {c(0), c(1)};
}

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

void fit_gemm(const std::string& path, const GpuCard& gpu, CalibrationProfile& p, FitReport& rep) {
  CsvTable g = CsvTable::read(path);
  std::map<std::string, std::vector<GemmPoint>> by_dtype;
  for (std::size_t r = 0; r < g.rows(); ++r) {
    const double t = g.number(r, "seconds");
    if (!std::isfinite(t) || t <= 0) continue;  // a shape the library does not support
    by_dtype[g.get(r, "dtype")].push_back({g.get(r, "layer"), g.number(r, "M"), g.number(r, "N"), g.number(r, "K"), t});
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

// ---------------------------------------------------------------- attention

struct AttnPoint {
  bool prefill;
  double S, flops, gbps, t;
};

void fit_attention_points(const std::vector<AttnPoint>& pts, double peak, double bw, double fixed, CalibrationProfile& p) {
  std::vector<double> inv_s, inv_rate, dec;
  for (const auto& a : pts) {
    if (a.prefill) {
      inv_s.push_back(1.0 / a.S);
      inv_rate.push_back((a.t - fixed) / a.flops);
    } else {
      dec.push_back(a.gbps * 1e9 / bw);
    }
  }
  if (inv_s.size() >= 2) {
    auto [c0, c1] = line_fit(inv_s, inv_rate, true);  // 1/rate = 1/(P e) + S_half/(P e) * 1/S
    if (c0 > 0 && c1 >= 0) {
      p.attn_eff_max = 1.0 / (c0 * peak);
      p.attn_s_half = c1 / c0;
    }
  }
  if (!dec.empty()) p.attn_decode_eff = median(dec);
}

double attn_predict(const CalibrationProfile& p, const AttnPoint& a, double peak, double bw) {
  if (a.prefill) return p.kernel_fixed_s + a.flops / (peak * p.attn_eff_max * a.S / (a.S + p.attn_s_half));
  return p.kernel_fixed_s + a.gbps * 1e9 * a.t / (bw * p.attn_decode_eff);
}

void fit_attention(const std::string& path, const GpuCard& gpu, CalibrationProfile& p, FitReport& rep) {
  CsvTable a = CsvTable::read(path);
  const double peak = gpu.peak(gpu.compute_precision(Precision::bf16));
  std::vector<AttnPoint> pts;
  for (std::size_t r = 0; r < a.rows(); ++r) {
    const double t = a.number(r, "seconds");
    if (!std::isfinite(t)) continue;
    const bool prefill = a.get(r, "phase") == "prefill";
    // shorter calls were bound by the host's issue rate (~20-40 us floor), not by the kernel
    if (t < (prefill ? kAttnPrefillHostFloorS : kAttnDecodeHostFloorS)) {
      ++rep.attention_host_bound;
      continue;
    }
    pts.push_back({prefill, a.number(r, "q_len"), a.number(r, "TFLOPs") * 1e12 * t, a.number(r, "GBps"), t});
  }
  std::size_t prefill = 0;
  for (const auto& x : pts) prefill += x.prefill;
  if (prefill < 2 || prefill == pts.size())
    throw Error(fmt("%s: %zu GPU-bound prefill and %zu decode rows; need at least 2 prefill rows (over %.0f us) of "
                    "different lengths and 1 decode row (over %.0f us)", path.c_str(), prefill, pts.size() - prefill,
                    kAttnPrefillHostFloorS * 1e6, kAttnDecodeHostFloorS * 1e6));
  fit_attention_points(pts, peak, gpu.memory_bw_Bps, p.kernel_fixed_s, p);
  std::vector<double> in, cv;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    in.push_back(rel(attn_predict(p, pts[i], peak, gpu.memory_bw_Bps), pts[i].t));
    std::vector<AttnPoint> train = pts;  // leave one point out
    train.erase(train.begin() + static_cast<std::ptrdiff_t>(i));
    CalibrationProfile q = p;
    fit_attention_points(train, peak, gpu.memory_bw_Bps, p.kernel_fixed_s, q);
    cv.push_back(rel(attn_predict(q, pts[i], peak, gpu.memory_bw_Bps), pts[i].t));
  }
  rep.attention = error_stats(in, cv);
}

// ---------------------------------------------------------------- bandwidth

struct BwPoint {
  std::string kind;
  double bytes, t;
};

// time = intercept + moved / bandwidth, per kind; `moved` counts read + write for device copies.
struct LineModel {
  double intercept = 0, inv_bw = 0;
};

double moved(const BwPoint& b) { return b.kind == "d2d_copy" ? 2 * b.bytes : b.bytes; }

LineModel fit_line(const std::vector<BwPoint>& pts) {
  std::vector<double> x, y;
  for (const auto& b : pts) {
    x.push_back(moved(b));
    y.push_back(b.t);
  }
  auto [c0, c1] = line_fit(x, y, true);
  return {std::max(0.0, c0), c1};
}

void fit_bandwidth(const std::string& path, const GpuCard& gpu, CalibrationProfile& p, FitReport& rep) {
  CsvTable b = CsvTable::read(path);
  std::map<std::string, std::vector<BwPoint>> kinds;
  for (std::size_t r = 0; r < b.rows(); ++r) {
    std::string kind = b.get(r, "kind");
    const double bytes = b.number(r, "bytes"), t = b.number(r, "seconds");
    if (!std::isfinite(t)) continue;
    // Only what the GPU or the bus paced: small device copies and reductions measured the host.
    if (kind == "d2d_copy" && bytes < kGpuBoundCopyBytes) continue;
    if (kind == "read_sum" && bytes < kGpuBoundReadBytes) continue;
    if (kind == "h2d_pinned" || kind == "d2h_pinned") kind = "pcie_pinned";
    else if (kind != "d2d_copy" && kind != "read_sum") continue;  // pageable, duplex, overlap: reported, not modelled
    kinds[kind].push_back({kind, bytes, t});
  }
  const std::map<std::string, std::string> need{
      {"d2d_copy", fmt("d2d_copy rows of %.0f MiB or more", kGpuBoundCopyBytes / 1048576.0)},
      {"read_sum", fmt("read_sum rows of %.0f MiB or more", kGpuBoundReadBytes / 1048576.0)},
      {"pcie_pinned", "h2d_pinned or d2h_pinned rows"}};
  for (const auto& [kind, what] : need)
    if (kinds[kind].size() < 2)
      throw Error(fmt("%s: %zu %s (GPU- or bus-bound sizes), need at least 2 of different sizes", path.c_str(),
                      kinds[kind].size(), what.c_str()));
  std::vector<double> in, cv;
  for (const auto& [kind, pts] : kinds) {
    LineModel m = fit_line(pts);
    if (!(m.inv_bw > 0))
      throw Error(fmt("%s: %s times do not grow with size: no bandwidth can be fitted", path.c_str(), kind.c_str()));
    if (kind == "d2d_copy") {
      p.kernel_fixed_s = m.intercept;
      p.copy_eff = 1.0 / m.inv_bw / gpu.memory_bw_Bps;
      if (p.copy_eff > 1.0)
        rep.warnings.push_back(fmt("%s: device copies reach %.0f GB/s, more than %s's memory_bw_GBps = %.0f: is the card's "
                                   "datasheet value right?", path.c_str(), 1e-9 / m.inv_bw, gpu.id.c_str(),
                                   gpu.memory_bw_Bps / 1e9));
    } else if (kind == "read_sum") {
      p.read_eff = 1.0 / m.inv_bw / gpu.memory_bw_Bps;
    } else {
      p.pcie_latency_s = m.intercept;
      p.pcie_pinned_Bps = 1.0 / m.inv_bw;
    }
    for (std::size_t i = 0; i < pts.size(); ++i) {
      in.push_back(rel(m.intercept + moved(pts[i]) * m.inv_bw, pts[i].t));
      if (pts.size() < 3) continue;
      std::vector<BwPoint> train = pts;  // leave one size out
      train.erase(train.begin() + static_cast<std::ptrdiff_t>(i));
      LineModel h = fit_line(train);
      cv.push_back(rel(h.intercept + moved(pts[i]) * h.inv_bw, pts[i].t));
    }
  }
  rep.bandwidth = error_stats(in, cv);
}

// ---------------------------------------------------------------- power

void read_power(const std::string& dir, PowerInputs& pw) {
  namespace fs = std::filesystem;
  const fs::path load = fs::path(dir) / "power_load.csv", trace = fs::path(dir) / "nvidia_smi_trace.csv";
  if (!fs::is_regular_file(load) || !fs::is_regular_file(trace)) return;
  CsvTable l = CsvTable::read(load.string());
  double gemm_start = 1e300, gemm_end = 0, copy_start = 1e300, copy_end = 0, idle_after = 0;
  std::vector<std::pair<double, double>> gemm_rates;  // (epoch, TFLOP/s)
  std::vector<double> copy_rates;
  for (std::size_t r = 0; r < l.rows(); ++r) {
    const std::string& phase = l.get(r, "phase");
    const double t = l.number(r, "epoch_s");
    if (phase.rfind("gemm", 0) == 0) {
      gemm_start = std::min(gemm_start, t);
      gemm_end = std::max(gemm_end, t);
      gemm_rates.push_back({t, l.number(r, "rate")});
    } else if (phase.rfind("copy", 0) == 0) {
      copy_start = std::min(copy_start, t);
      copy_end = std::max(copy_end, t);
      copy_rates.push_back(l.number(r, "rate"));
    } else if (phase == "idle_after") {
      idle_after = t;
    }
  }
  if (gemm_rates.empty()) return;
  pw.gemm_rate_peak_tflops = gemm_rates.front().second;  // before the power cap bites
  std::vector<double> steady;  // after the first two seconds of the load
  for (const auto& [t, rate] : gemm_rates)
    if (t > gemm_start + 2.0) steady.push_back(rate);
  pw.gemm_rate_steady_tflops = median(steady);
  pw.copy_rate_GBps = median(copy_rates);
  CsvTable s = CsvTable::read(trace.string());
  std::vector<double> gemm_w, gemm_mhz, copy_w, copy_mhz, idle_w, gemm_c, copy_c, idle_c;
  std::vector<std::pair<double, double>> rise;  // (seconds since the burn began, temperature) for tau
  double temp_before = std::nan("");
  for (std::size_t r = 0; r < s.rows(); ++r) {
    long long ticks = 0;
    if (!parse_utc_timestamp(s.get(r, "timestamp"), ticks, '/'))
      throw Error(fmt("%s: row %zu: timestamp '%s' is not YYYY/MM/DD HH:MM:SS.mmm", trace.string().c_str(), r + 2,
                      s.get(r, "timestamp").c_str()));
    const double t = static_cast<double>(ticks) * 1e-7;
    // nvidia-smi and NVML write "N/A" for what a GPU cannot report: such samples are skipped
    const double w = s.number_or_nan(r, "power.draw"), mhz = s.number_or_nan(r, "clocks.sm");
    if (!std::isfinite(w) || !std::isfinite(mhz)) continue;
    const double limit = s.number_or_nan(r, "power.limit");
    if (std::isfinite(limit)) pw.power_limit_w = std::max(pw.power_limit_w, limit);
    pw.sm_clock_max_mhz = std::max(pw.sm_clock_max_mhz, mhz);
    const double temp = s.number_or_nan(r, "temperature.gpu");
    if (t <= gemm_start && std::isfinite(temp)) temp_before = temp;
    if (t > gemm_start && t <= gemm_start + 5.0 && std::isfinite(temp)) rise.push_back({t - gemm_start, temp});
    if (t > gemm_start + 2.0 && t <= gemm_end) {
      gemm_w.push_back(w);
      gemm_mhz.push_back(mhz);
      gemm_c.push_back(temp);
    } else if (t > copy_start + 1.0 && t <= copy_end) {
      copy_w.push_back(w);
      copy_mhz.push_back(mhz);
      copy_c.push_back(temp);
    } else if (idle_after > 0 && t > idle_after + 2.0) {
      idle_w.push_back(w);
      idle_c.push_back(temp);
    }
  }
  if (gemm_w.empty() || idle_w.empty()) return;
  pw.gemm_power_w = median(gemm_w);
  pw.sm_clock_gemm_mhz = median(gemm_mhz);
  pw.copy_power_w = median(copy_w);
  pw.sm_clock_copy_mhz = median(copy_mhz);
  pw.idle_w = median(idle_w);
  pw.temp_gemm_c = median(gemm_c);
  pw.temp_copy_c = median(copy_c);
  pw.temp_idle_c = median(idle_c);
  // tau: the first-order step response from the temperature before the burn to its steady value
  if (std::isfinite(temp_before) && !rise.empty()) {
    double best = 1e300;
    for (double tau = 0.05; tau <= 10.0; tau += 0.01) {
      double e = 0;
      for (const auto& [dt, temp] : rise) {
        const double pred = pw.temp_gemm_c + (temp_before - pw.temp_gemm_c) * std::exp(-dt / tau);
        e += (pred - temp) * (pred - temp);
      }
      if (e < best) {
        best = e;
        pw.thermal_tau_s = tau;
      }
    }
  }
  pw.measured = true;
}

}  // namespace

ErrorStats error_stats(std::vector<double> in, std::vector<double> cv) {
  ErrorStats e;
  e.points = static_cast<int>(in.size());
  if (in.empty()) return e;
  e.median = median(in);
  e.p90 = quantile(in, 0.9);
  e.max = *std::max_element(in.begin(), in.end());
  e.cv_median = median(cv);
  e.cv_p90 = quantile(cv, 0.9);
  return e;
}

FitResult fit_measurements(const std::string& dir, const GpuCard& gpu) {
  namespace fs = std::filesystem;
  for (const char* f : {"bandwidth.csv", "gemm.csv", "attention.csv"})
    if (!fs::is_regular_file(fs::path(dir) / f))
      throw Error(fmt("calibration of %s: missing %s in %s", gpu.id.c_str(), f, dir.c_str()));
  FitResult res;
  CalibrationProfile& p = res.profile;
  p.gpu_id = gpu.id;
  p.measurements_dir = fs::absolute(dir).lexically_normal().string();
  // bandwidth first: its copy intercept is the per-kernel fixed cost the other fits start from
  fit_bandwidth((fs::path(dir) / "bandwidth.csv").string(), gpu, p, res.report);
  fit_gemm((fs::path(dir) / "gemm.csv").string(), gpu, p, res.report);
  fit_attention((fs::path(dir) / "attention.csv").string(), gpu, p, res.report);
  read_power(dir, p.power);
  load_gemm_table(dir, gpu, p);
  return res;
}

}  // namespace dssim
