#include "run/run.hpp"

#include "run/power_setup.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

void finish_fixed(const RunInputs& in, RunResult& r) {
  const Prediction& p = *r.fixed;
  r.fits = p.fits;
  r.warnings = p.warnings;
  r.ttft_s = p.ttft_s;
  r.tpot_s = p.tpot_s;
  r.busy_power_w = p.serving_power_w > 0 ? p.serving_power_w : serving_power_estimate_w(in.base.gpu);
  r.busy_power_source = p.serving_power_w > 0 ? "power model" : "estimate";
  r.roi_throughput_tok_s = p.throughput_tok_s;
  r.roi_throughput_source =
      fmt("fixed batch of %d (prompt %lld, output %lld)", in.base.batch, in.base.prompt, in.base.output);
  if (p.power && p.power->shutdown_reached)
    r.warnings.push_back(fmt("the GPU reached its shutdown temperature (%.0f C): a real one would have stopped",
                             in.base.gpu.shutdown_c));
}

void finish_stream(const RunInputs& in, RunResult& r) {
  const ServingPrediction& p = *r.stream;
  const ServingSummary& sum = p.summary;
  const ServingConfig& c = in.serving;
  r.fits = p.fits;
  r.warnings = p.warnings;
  r.ttft_s = sum.ttft_s.p50;
  r.tpot_s = sum.tpot_s.p50;
  r.busy_power_w = sum.has_power ? sum.busy_power_w : serving_power_estimate_w(in.base.gpu);
  if (!sum.has_power && in.decode_base)
    r.busy_power_w = (serving_power_estimate_w(in.base.gpu) * in.base.node.total_gpus() +
                      serving_power_estimate_w(in.decode_base->gpu) * in.decode_base->node.total_gpus()) / in.total_gpus();
  r.busy_power_source = sum.has_power ? "power model" : "estimate";
  // tokens per second while the GPUs are busy; with an SLO only the requests that met it (goodput)
  double tok = sum.throughput_tok_s;
  if ((c.slo_ttft_s || c.slo_tpot_s) && sum.requests_per_s > 0) {
    tok *= sum.goodput_rps / sum.requests_per_s;
    r.roi_throughput_source = fmt("serving simulation, tokens of requests meeting the SLO (%.0f %% of requests)",
                                  sum.goodput_rps / sum.requests_per_s * 100);
  } else {
    r.roi_throughput_source = "serving simulation";
  }
  r.roi_throughput_tok_s = sum.gpu_busy_fraction > 0 ? tok / sum.gpu_busy_fraction : 0;
  if (p.fits && sum.shutdown_reached)
    r.warnings.push_back(fmt("a GPU reached its shutdown temperature (%.0f C): a real one would have stopped",
                             in.base.gpu.shutdown_c));
}

}  // namespace

RoiInputs roi_inputs_for(const RunInputs& in, double throughput_tok_s, double busy_power_w) {
  RoiInputs ri;
  ri.cost = *in.cost;
  ri.gpus = in.total_gpus();
  ri.throughput_tok_s = throughput_tok_s;
  ri.busy_power_w = busy_power_w;
  // Per GPU: two kinds of GPU ([decode_platform]) idle at their GPU-weighted mean.
  ri.idle_power_w = in.base.gpu.idle_w;
  if (in.decode_base)
    ri.idle_power_w = (in.base.gpu.idle_w * in.base.node.total_gpus() +
                       in.decode_base->gpu.idle_w * in.decode_base->node.total_gpus()) / ri.gpus;
  ri.host_power_w = in.host_power_w();
  return ri;
}

RunResult run(const RunInputs& in) {
  RunResult r;
  r.kind = in.kind;
  // The power observer every run carries (none with power_model = "off" or without load traces).
  const auto power = make_power_setup(in.base, in.options.record_thermal);
  switch (in.kind) {
    case RunKind::fixed_batch:
      r.fixed = predict(in.base, power ? &*power : nullptr);
      finish_fixed(in, r);
      break;
    case RunKind::request_stream: {
      r.stream = predict_serving(in, power ? &*power : nullptr);
      finish_stream(in, r);
      break;
    }
    case RunKind::burn:
      r.burn = run_burn_workload(in.base, in.workload, in.options.record_thermal);
      if (r.burn->result.shutdown_reached)
        r.warnings.push_back(fmt("the GPU reached its shutdown temperature (%.0f C): a real one would have stopped",
                                 in.base.gpu.shutdown_c));
      return r;  // a burn serves no tokens: no ROI
  }
  if (r.fits)
    r.verdict = r.stream ? judge_stream(r.stream->run, r.stream->summary, in.slo) : judge_fixed(*r.fixed, in.slo);
  if (r.fits && in.cost) {
    r.roi_inputs = roi_inputs_for(in, r.roi_throughput_tok_s, r.busy_power_w);
    r.roi = compute_roi_with_npv(*r.roi_inputs);
  }
  r.bands = run_bands(in, r);
  return r;
}

}  // namespace dssim
