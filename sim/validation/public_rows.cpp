#include "validation/public_rows.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <thread>

#include "config/precision.hpp"
#include "run/resolve.hpp"
#include "util/prediction_interval.hpp"
#include "run/run.hpp"
#include "util/child.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

double PublicRow::time_error() const { return is_rate() ? measured / predicted - 1 : predicted / measured - 1; }

namespace {

// What a row measures, from one fixed-batch prediction. Static-batch throughput (TensorRT-LLM's
// gptSessionBenchmark) is batch x output tokens over the whole run, context phase included, per GPU;
// llama-bench's pp is prompt tokens over the prefill and its tg one sequence's decode steps.
double figure(const std::string& metric, const Prediction& p, const PredictFlags& f) {
  if (metric == "out_tok_s_per_gpu") return p.throughput_tok_s / f.tp;
  if (metric == "ttft_ms") return p.ttft_s * 1e3;
  if (metric == "prefill_tok_s") return static_cast<double>(f.batch * f.prompt) / p.prefill_s;
  return static_cast<double>(f.batch) / p.tpot_s;  // decode_tok_s
}

}  // namespace

namespace {

// A row as times: the measured one, and dssim's band for it under a widening `w` (the band of the
// prefill, of one decode step, or of a static batch's run: the prefill, then output - 1 decode steps).
struct TimeBand {
  double measured_s = 0, lo = 0, hi = 0;
};
TimeBand time_band(const PublicRow& r, const ResidualBand& pre, const ResidualBand& dec, double w) {
  TimeBand t;
  if (r.metric == "out_tok_s_per_gpu") {
    const auto [plo, phi] = measured_range(r.prefill_s, pre, w);
    const auto [dlo, dhi] = measured_range(r.tpot_s, dec, w);
    t.lo = plo + r.steps * dlo;
    t.hi = phi + r.steps * dhi;
    t.measured_s = (r.prefill_s + r.steps * r.tpot_s) * r.predicted / r.measured;
  } else if (r.metric == "decode_tok_s") {
    std::tie(t.lo, t.hi) = measured_range(r.tpot_s, dec, w);
    t.measured_s = r.tpot_s * r.predicted / r.measured;
  } else {
    std::tie(t.lo, t.hi) = measured_range(r.prefill_s, pre, w);
    t.measured_s = r.metric == "ttft_ms" ? r.measured / 1e3 : r.prefill_s * r.predicted / r.measured;
  }
  return t;
}

}  // namespace

// The smallest widening of the class bands under which the measured figure of a published row lies in
// its band.
double widen_to_cover(const PublicRow& r, const AccuracyBands& b) {
  const ResidualBand* pre = b.find("prefill_eager");
  const ResidualBand* dec = b.find("decode_cudagraph");
  if (!pre || !dec) return std::numeric_limits<double>::infinity();
  auto covered = [&](double w) {
    const TimeBand t = time_band(r, *pre, *dec, w);
    return t.measured_s >= t.lo && t.measured_s <= t.hi;
  };
  if (covered(0)) return 0;
  double lo = 0, hi = 1;
  while (!covered(hi)) {
    hi *= 2;
    if (hi > 1e3) return std::numeric_limits<double>::infinity();
  }
  for (int i = 0; i < 60; ++i) (covered((lo + hi) / 2) ? hi : lo) = (lo + hi) / 2;
  return hi;
}

// The factor beyond the (widened) band that a row's measured time needs: its time range [lo, hi]
// stretched to [lo / (1 + f), hi * (1 + f)] holds the measurement.
std::pair<double, double> factor_to_cover(const PublicRow& r, const AccuracyBands& b, double widen) {
  const ResidualBand* pre = b.find("prefill_eager");
  const ResidualBand* dec = b.find("decode_cudagraph");
  if (!pre || !dec) return {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  const TimeBand t = time_band(r, *pre, *dec, widen);
  return {std::max(0.0, t.measured_s / t.hi - 1), std::max(0.0, t.lo / t.measured_s - 1)};
}

// The widening that covers `confidence` of the rows: the ceil(confidence x n)-th smallest they need.
double widen_quantile(std::vector<double> need, double confidence) {
  if (need.empty()) return 0;
  std::sort(need.begin(), need.end());
  const auto k = static_cast<std::size_t>(std::ceil(confidence * static_cast<double>(need.size())));
  return need[std::min(need.size(), std::max<std::size_t>(k, 1)) - 1];
}

std::vector<PublicRow> predict_public_rows(const std::string& csv, const Catalog& cat) {
  const CsvTable t = CsvTable::read(csv);
  std::vector<PublicRow> rows;
  std::vector<PredictFlags> flags;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    PublicRow r;
    r.id = t.get(i, "id");
    r.source = t.get(i, "source");
    r.gpu = t.get(i, "gpu");
    r.model = t.get(i, "model");
    r.metric = t.get(i, "metric");
    r.moe = cat.model(r.model).moe.has_value();
    if (r.metric != "out_tok_s_per_gpu" && r.metric != "ttft_ms" && r.metric != "prefill_tok_s" && r.metric != "decode_tok_s")
      throw Error(fmt("%s: column 'metric' '%s': expected out_tok_s_per_gpu, ttft_ms, prefill_tok_s or decode_tok_s",
                      t.where(i).c_str(), r.metric.c_str()));
    auto whole = [&](const char* col, double lo, double hi) {
      const double v = t.number(i, col);
      if (!(v >= lo && v <= hi) || v != std::floor(v))
        throw Error(fmt("%s: column '%s' '%s': expected a whole number in [%g, %g]", t.where(i).c_str(), col,
                        t.get(i, col).c_str(), lo, hi));
      return static_cast<long long>(v);
    };
    PredictFlags f;
    f.model = r.model;
    f.gpu = r.gpu;
    f.tp = static_cast<int>(whole("tp", 1, 64));
    f.batch = static_cast<int>(whole("batch", 1, 1 << 20));
    f.prompt = whole("prompt", 1, 1 << 20);
    f.output = whole("output", 1, 1 << 20);
    f.weights = parse_weight_precision(t.get(i, "weights"), t.where(i) + ": column 'weights'");
    f.kv_cache = parse_kv_precision(t.get(i, "kv_cache"), t.where(i) + ": column 'kv_cache'");
    f.runtime = t.get(i, "runtime");
    const std::string graphs = t.get(i, "cuda_graphs");
    if (graphs != "on" && graphs != "off")
      throw Error(fmt("%s: column 'cuda_graphs' '%s': expected on or off", t.where(i).c_str(), graphs.c_str()));
    f.cuda_graphs = graphs == "on";
    if (r.metric == "decode_tok_s" && f.output < 2)
      throw Error(fmt("%s: decode_tok_s needs output >= 2 (a decode step after the prompt)", t.where(i).c_str()));
    r.tp = f.tp;
    r.batch = f.batch;
    r.prompt = f.prompt;
    r.output = f.output;
    r.measured = t.number(i, "measured");
    if (!(r.measured > 0)) throw Error(fmt("%s: column 'measured': expected a number > 0", t.where(i).c_str()));
    r.steps = static_cast<double>(f.output - 1);
    flags.push_back(f);
    rows.push_back(r);
  }
  // One SimGrid simulation per process: each row in its own child, on every core.
  run_in_children(
      rows.size(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())),
      [&](std::size_t i) {
        const PredictFlags& f = flags[i];
        const RunInputs in = resolve_predict(f, cat);
        const RunResult res = run(in);
        if (!res.fits) return ChildAnswer{{"error", "does not fit"}};
        const Prediction& p = *res.fixed;
        return ChildAnswer{{"value", answer_number(figure(rows[i].metric, p, f))},
                           {"prefill_s", answer_number(p.prefill_s)},
                           {"tpot_s", answer_number(p.tpot_s)},
                           {"borrowed", in.base.profile.own ? "" : in.base.profile.measured_gpu}};
      },
      [&](std::size_t i, const ChildAnswer& a) {
        PublicRow& r = rows[i];
        if (a.count("error")) {
          r.error = a.at("error");
          return;
        }
        r.predicted = std::stod(a.at("value"));
        r.prefill_s = std::stod(a.at("prefill_s"));
        r.tpot_s = std::stod(a.at("tpot_s"));
        r.borrowed_from = a.at("borrowed");
      });
  return rows;
}

}  // namespace dssim
