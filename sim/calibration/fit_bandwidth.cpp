// Attention (prefill rate curve, decode KV read efficiency) and bandwidth (device copies, reads, PCIe)
// fits.
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



}  // namespace

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

void fit_bandwidth(const std::string& path, const GpuCard& gpu, CalibrationProfile& p, FitReport& rep) {
  CsvTable b = CsvTable::read(path);
  std::map<std::string, std::vector<BwPoint>> kinds;
  double pageable_bytes = 0, pageable_s = 0;
  for (std::size_t r = 0; r < b.rows(); ++r) {
    std::string kind = b.get(r, "kind");
    const double bytes = b.number(r, "bytes"), t = b.number(r, "seconds");
    if (!std::isfinite(t)) continue;
    // Pageable uploads: one rate over the DRAM-sized rows (no line: the CPU's caches bend the small sizes).
    if (kind == "h2d_pageable" && bytes >= kPageableDramBytes && t > 0) {
      pageable_bytes += bytes;
      pageable_s += t;
      continue;
    }
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
  p.pcie_pageable_Bps = pageable_s > 0 ? pageable_bytes / pageable_s : 0.0;
  rep.bandwidth = error_stats(in, cv);
}

}  // namespace dssim
