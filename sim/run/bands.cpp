#include "run/bands.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "finance/roi.hpp"
#include "run/run.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

FigureBand band_of(double value, const AccuracyBands& a, const std::string& cls, double widen) {
  FigureBand f;
  f.value = value;
  f.cls = cls;
  const ResidualBand* b = a.find(cls);
  if (!b) {  // a class the residuals do not have: no claim beyond the value itself
    f.low = f.high = value;
    f.cls += " (no residuals)";
    return f;
  }
  const auto [lo, hi] = measured_range(value, *b, widen);
  f.low = lo;
  f.high = hi;
  return f;
}

// A rate (tokens per second) over a time that has the band `t`: the inverse band.
FigureBand inverse(double value, const FigureBand& t) {
  FigureBand f;
  f.value = value;
  f.cls = t.cls;
  f.low = t.high > 0 ? value * t.value / t.high : value;
  f.high = t.low > 0 ? value * t.value / t.low : value;
  return f;
}

}  // namespace

std::string RunBands::why_wider() const {
  std::vector<std::string> v;
  if (borrowed_widen > 0) v.push_back(borrowed);
  if (moe_slow > 0 || moe_fast > 0) v.push_back(moe);
  return join(v, " and ");
}

std::optional<RunBands> run_bands(const RunInputs& in, const RunResult& r) {
  if (!r.fits || r.kind == RunKind::burn || in.bands.empty()) return std::nullopt;
  const AccuracyBands& a = in.bands;
  const PredictInput& b = in.base;
  RunBands out;
  out.confidence = a.confidence;
  if (!b.profile.own) {
    out.borrowed_widen = a.borrowed_widen;
    out.borrowed = fmt("%s borrows %s's efficiencies", b.gpu.id.c_str(), b.profile.measured_gpu.c_str());
    out.widen_source = a.borrowed_source;
  }
  // A MoE's expert GEMMs are priced as dense GEMMs of each expert's tokens; published MoE runs are
  // slower (docs/validation.md): its time bands stretch by the factor they need beyond the rest (the
  // power band does not: nothing says a MoE draws differently).
  if (b.model.moe && (a.moe_slow > 0 || a.moe_fast > 0)) {
    out.moe_slow = a.moe_slow;
    out.moe_fast = a.moe_fast;
    out.moe = fmt("%s is a mixture of experts", b.model.id.c_str());
    out.moe_source = a.moe_source;
  }
  const double w = out.borrowed_widen;
  auto stretched = [&](FigureBand f) {
    f.low /= 1 + out.moe_fast;
    f.high *= 1 + out.moe_slow;
    return f;
  };
  const std::string decode = b.cuda_graphs ? "decode_cudagraph" : "decode_eager";
  if (r.fixed) {
    const Prediction& p = *r.fixed;
    // a one-shot prefill runs eager; the output tokens after the first are decode steps
    out.ttft = stretched(band_of(p.ttft_s, a, "prefill_eager", w));
    out.tpot = stretched(band_of(p.tpot_s, a, decode, w));
    const double steps = static_cast<double>(std::max<long long>(0, b.output - 1));
    out.e2e.value = p.e2e_s;
    out.e2e.low = out.ttft.low + steps * out.tpot.low;
    out.e2e.high = out.ttft.high + steps * out.tpot.high;
    out.e2e.cls = steps > 0 ? "prefill_eager + " + decode : "prefill_eager";
    out.throughput = inverse(p.throughput_tok_s, out.e2e);
  } else {
    const ServingSummary& s = r.stream->summary;
    out.ttft = stretched(band_of(s.ttft_s.p50, a, "serving_ttft", w));
    out.tpot = stretched(band_of(s.tpot_s.p50, a, decode, w));
    out.e2e = stretched(band_of(s.e2e_s.p50, a, "serving_e2e", w));
    out.throughput = inverse(s.throughput_tok_s, out.e2e);
  }
  out.power = band_of(r.busy_power_w, a, "serving_power", w);
  // no GPU draws more than its limit for long: the controller lowers the clock first
  out.power.high = std::min(out.power.high, b.env.power_limit_w.value_or(b.gpu.tdp_w));
  out.power.low = std::min(out.power.low, out.power.high);
  if (r.roi && in.cost) {
    // $ per token moves with the throughput and the draw; the break-even with the draw alone (the cloud
    // rents the same GPUs for the same busy hours).
    const double thr = r.roi_throughput_tok_s, k_lo = out.throughput.value > 0 ? out.throughput.low / out.throughput.value : 1,
                 k_hi = out.throughput.value > 0 ? out.throughput.high / out.throughput.value : 1;
    const RoiResult worst = compute_roi(roi_inputs_for(in, thr * k_lo, out.power.high));
    const RoiResult best = compute_roi(roi_inputs_for(in, thr * k_hi, out.power.low));
    const std::string cls = out.throughput.cls + ", serving_power";
    if (!std::isnan(r.roi->usd_per_million_tokens_onprem))
      out.usd_per_m_onprem = FigureBand{r.roi->usd_per_million_tokens_onprem, best.usd_per_million_tokens_onprem,
                                        worst.usd_per_million_tokens_onprem, cls};
    if (!std::isnan(r.roi->usd_per_million_tokens_cloud))
      out.usd_per_m_cloud = FigureBand{r.roi->usd_per_million_tokens_cloud, best.usd_per_million_tokens_cloud,
                                       worst.usd_per_million_tokens_cloud, out.throughput.cls};
    if (r.roi->break_even_defined)
      out.break_even = BreakEvenBand{r.roi->break_even_months, best.break_even_months, worst.break_even_months};
  }
  return out;
}

}  // namespace dssim
