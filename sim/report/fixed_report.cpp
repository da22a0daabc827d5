#include "report/bands_section.hpp"
#include "report/report.hpp"

#include <sstream>

#include "finance/pricing.hpp"
#include "report/cost_section.hpp"
#include "report/verdict_section.hpp"

#include "util/error.hpp"
#include "util/csv.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

std::string render_text(const RunInputs& ri, const RunResult& r) {
  const PredictInput& in = ri.base;
  const Prediction& p = *r.fixed;
  std::ostringstream o;
  o << header_text(ri);
  o << "\n";
  o << verdict_text(r);
  o << fmt("Model     %s: %.2f B parameters (%.2f B active), weights %s, KV cache %s (%.1f KiB/token)\n", in.model.id.c_str(),
           p.params.total() / 1e9, p.params.active(in.model.active_params_include_embedding) / 1e9,
           (to_string(in.weights) + (in.model.sparse24 ? " 2:4-sparse" : "")).c_str(), to_string(in.kv_cache).c_str(),
           p.kv_bytes_per_token / 1024.0);
  const std::string layout = describe(in.parallel, in.model.moe.has_value());
  o << fmt("Platform  %s%s: %d x %s (%s)%s\n", in.node.id.c_str(),
           in.node.node_count > 1 ? fmt(" x %d nodes", in.node.node_count).c_str() : "", in.node.total_gpus(),
           in.gpu.id.c_str(), in.gpu.name.c_str(),
           layout.empty() ? "" : fmt("; %s over %s", layout.c_str(), in.node.interconnect.c_str()).c_str());
  o << fmt("Workload  batch %d, prompt %lld, output %lld tokens; decode step reported at context %lld; CUDA graphs %s\n",
           in.batch, in.prompt, in.output, in.context, in.cuda_graphs ? "on (decode)" : "off");
  for (const auto& a : in.accuracy_notes) o << "Accuracy  " << a << "\n";
  for (const auto& a : in.precision_notes) o << "Compute   " << a << "\n";
  o << "\nMemory per GPU                                 GiB\n";
  const MemoryBreakdown& m = p.memory;
  o << fmt("  weights                               %9.2f\n", m.weights / kGiB);
  const std::string kv_label = fmt("%d x %lld tokens", in.batch, p.kv_tokens_per_sequence);
  o << fmt("  KV cache (%s)%*s%9.2f\n", kv_label.c_str(), std::max(1, 27 - static_cast<int>(kv_label.size())), "",
           m.kv_cache / kGiB);
  o << fmt("  activations (prefill peak)            %9.2f\n", m.activations / kGiB);
  o << fmt("  runtime reserve                       %9.2f\n", m.reserve / kGiB);
  if (m.host_weights > 0 || m.host_kv > 0)
    o << fmt("  in host memory (offload)              %9.2f   (%s)\n", (m.host_weights + m.host_kv) / kGiB,
             (m.host_weights > 0 && m.host_kv > 0
                  ? fmt("weights of %d layers %.2f, KV %.2f", p.offloaded_layers, m.host_weights / kGiB, m.host_kv / kGiB)
                  : m.host_weights > 0 ? fmt("weights of the last %d layers", p.offloaded_layers)
                                       : fmt("KV cache: the oldest %lld tokens of each sequence", p.host_kv_tokens))
                 .c_str());
  o << fmt("  total / capacity                      %9.2f / %.2f\n", m.total() / kGiB, m.capacity / kGiB);
  if (p.fits) {
    // unified memory: what is "in host memory" takes the same memory
    const double host_side = in.gpu.unified_memory() ? m.host_weights + m.host_kv : 0.0;
    o << fmt("  FITS: %.2f GiB free%s\n", (m.free() - host_side) / kGiB, host_side > 0 ? " (beside the offloaded part: unified memory)" : "");
  } else {
    if (m.fits())  // the GPU side fits; the offloaded part does not fit the host
      o << (in.gpu.unified_memory() ? "  DOES NOT FIT: what is offloaded does not fit beside the GPU's share of the unified memory\n"
                                                : "  DOES NOT FIT: what is offloaded needs more host memory than the node has\n");
    else
      o << fmt("  DOES NOT FIT: %.2f GiB over the %.2f GiB of one %s\n", -m.free() / kGiB, m.capacity / kGiB, in.gpu.id.c_str());
    for (const auto& s : p.suggestions) o << "  would fit: " << s << "\n";
    return o.str();
  }
  if (p.offload_stream_bytes > 0) {
    o << fmt("\nOffload   the longest decode step streams %s per GPU over PCIe at %.1f GB/s (%s): "
             "at least %s per step, overlapped with compute\n", human_bytes(p.offload_stream_bytes).c_str(), p.offload_link_Bps / 1e9,
             p.offload_pageable ? "pageable host memory: the host's copy rate"
             : p.offload_cxl    ? "CXL memory: its share of the node's expanders"
                                : "its share of the host link",
             human_seconds(p.offload_stream_bytes / p.offload_link_Bps).c_str());
  } else if (p.offload_zero_copy && (m.host_weights > 0 || m.host_kv > 0)) {
    o << "\nOffload   unified memory: the kernels read what is in host memory in place (zero copy), over the same memory "
         "bus as the rest; nothing is streamed\n";
  }
  if (p.offloaded_layers > 0 && in.gpu_layers >= 0)
    o << fmt("  gpu_layers = %d: %d of %d decoder layers stay on each GPU\n", in.gpu_layers,
             in.model.num_hidden_layers - p.offloaded_layers, in.model.num_hidden_layers);
  if (p.offload_stream_bytes > 0 || p.offload_zero_copy)
    for (const auto& a : p.alternatives) o << "  instead: " << a << "\n";
  o << "\nLatency\n";
  o << fmt("  prefill = time to first token         %s   (GPU busy %s, host issue %s, %d kernels)\n",
           human_seconds(p.prefill_s).c_str(), human_seconds(p.prefill_gpu_busy_s).c_str(),
           human_seconds(p.prefill_host_busy_s).c_str(), p.prefill_kernels);
  o << fmt("  decode step at context %-8lld       %s   (GPU busy %s, host issue %s, %d kernels)\n", in.context,
           human_seconds(p.decode_step_s).c_str(), human_seconds(p.decode_gpu_busy_s).c_str(),
           human_seconds(p.decode_host_busy_s).c_str(), p.decode_kernels);
  if (in.parallel.gpus() > 1)
    o << fmt("  communication (first GPU)             prefill %s, decode step %s%s\n", human_seconds(p.prefill_comm_s).c_str(),
             human_seconds(p.decode_comm_s).c_str(),
             p.moe_imbalance > 1.0005 ? fmt("; busiest expert rank %.2fx the mean load", p.moe_imbalance).c_str() : "");
  o << fmt("  time per output token (mean)          %s\n", human_seconds(p.tpot_s).c_str());
  o << fmt("  end-to-end (prefill + %lld steps)      %s\n", in.output - 1, human_seconds(p.e2e_s).c_str());
  o << fmt("  throughput                            %.1f output tokens/s (%.1f per sequence)\n", p.throughput_tok_s,
           p.throughput_tok_s / in.batch);
  o << fmt("  achieved in prefill                   %.1f TFLOP/s of the model's arithmetic: MFU %.1f %% (%d x %.0f TFLOP/s %s)\n",
           p.prefill_rate.flops_per_s / 1e12, p.prefill_rate.mfu * 100, in.parallel.gpus(), p.peaks.flops_per_s / 1e12,
           p.peaks.label().c_str());
  o << fmt("  achieved in a decode step             %.2f TB/s of the model's bytes: MBU %.1f %% (%d x %.2f TB/s); MFU %.1f %%\n",
           p.decode_rate.bytes_per_s / 1e12, p.decode_rate.mbu * 100, in.parallel.gpus(), p.peaks.bytes_per_s / 1e12,
           p.decode_rate.mfu * 100);
  auto shares = [](const Prediction::KernelClasses& c) {
    const double t = c.total();
    if (t <= 0) return std::string("no kernels");
    return fmt("GEMM %.0f %%, attention %.0f %%, element-wise %.0f %%", 100 * c.gemm_s / t, 100 * c.attention_s / t,
               100 * c.elementwise_s / t);
  };
  o << fmt("  kernel time by class                  prefill %s; decode %s\n", shares(p.prefill_classes).c_str(),
           shares(p.decode_classes).c_str());
  o << fmt("  efficiencies: %s\n", p.calibration.c_str());
  if (p.power) {
    const BatchPower& w = *p.power;
    o << "\nPower and temperature (per GPU)\n";
    o << fmt("  power model                           %s; limit %.0f W\n", w.source.c_str(), w.limit_w);
    o << fmt("  cooling                               %s, ambient %.1f C\n", in.env.cooling.name.c_str(), in.env.ambient_c);
    o << fmt("  SM clock                              prefill %.0f MHz (%s), decode %.0f MHz (mean)\n", w.prefill_clock_mhz,
             w.prefill_limiter == "none" ? "no limit reached" : w.prefill_limiter == "power_cap" ? "held by the power cap"
                                                                                              : "held by temperature",
             w.decode_clock_mhz);
    o << fmt("  power while busy                      %.1f W\n", w.busy_power_w);
    o << fmt("  max temperature                       %.1f C\n", w.max_temp_c);
    o << fmt("  throttled                             %.1f %% of busy time\n", w.throttled_fraction * 100);
    o << fmt("  energy of the batch (GPUs)            %.3g kWh\n", w.energy_j * in.node.total_gpus() / 3.6e6);
  }
  if (r.roi && ri.cost) {
    const RoiResult& x = *r.roi;
    const CostInputs& c = *ri.cost;
    o << fmt("\nROI vs renting (%d GPU%s, %.0f%% utilization, %g-month horizon)\n", in.node.total_gpus(),
             in.node.total_gpus() > 1 ? "s" : "", c.utilization * 100, c.horizon_months);
    if (const std::string note = verdict_money_note(r); !note.empty()) o << "  " << note << "\n";
    const std::string parts = hardware_lines(c, in.node.total_gpus());
    o << fmt("  hardware                              %s (%s per month over %g months)%s\n", dollars(x.hardware_usd).c_str(),
             dollars(x.depreciation_monthly_usd).c_str(), c.depreciation_months, parts.empty() ? "" : (": " + parts).c_str());
    if (c.fixed_monthly_usd() > 0)
      o << fmt("  operations and staff                  %s per month (%s + %s)\n", dollars(c.fixed_monthly_usd()).c_str(),
               dollars(c.ops_usd_per_month).c_str(), dollars(c.staff_usd_per_month).c_str());
    o << fmt("  cloud for the same busy hours         %s per month (%s per GPU-hour)\n", dollars(x.cloud_monthly_usd).c_str(),
             dollars(c.cloud_usd_per_gpu_hour).c_str());
    o << fmt("  on-prem electricity                   $%.0f per month (%.0f kWh incl. PUE %.2f at $%.4g/kWh; %.0f W per GPU serving, %s)\n",
             x.energy_monthly_usd, x.energy_monthly_kwh, c.pue, c.electricity_usd_per_kwh,
             r.busy_power_w, r.busy_power_source.c_str());
    o << fmt("  host power                            %.0f W for %s%s\n", in.node.platform_host_power_w(),
             in.node.node_count > 1 ? fmt("%d nodes", in.node.node_count).c_str() : "the node",
             in.node.host_power_estimated
                 ? (in.node.host_power_w > 0 ? fmt(" (estimate: no node file; %.0f W + %.0f W per GPU)", kImplicitHostBaseW, kImplicitHostPerGpuW)
                                             : std::string(" (a module: its CPU is inside the GPU budget)"))
                       .c_str()
                 : "");
    o << "  break-even                            " << break_even_text(x) << "\n";
    o << fmt("  ROI at %g months                      %s\n", c.horizon_months, percent(x.roi_pct).c_str());
    o << "  NPV of buying                         " << npv_text(x, c) << "\n";
    o << fmt("  $ per million output tokens           on-prem %s, cloud %s\n", usd(x.usd_per_million_tokens_onprem).c_str(),
             usd(x.usd_per_million_tokens_cloud).c_str());
  }
  if (r.bands) o << bands_text(*r.bands, false);
  o << prices_text(ri);
  return o.str();
}

std::string render_json(const RunInputs& ri, const RunResult& r) {
  const PredictInput& in = ri.base;
  const Prediction& p = *r.fixed;
  JsonWriter j;
  j.begin_document("fixed_batch").value("scenario", ri.title);
  overrides_json(j, ri);
  verdict_json(j, r.verdict);
  j.value("model", in.model.id).value("gpu", in.gpu.id).value("node", in.node.id).value("gpu_count", in.node.total_gpus());
  j.value("weights", to_string(in.weights)).value("kv_cache", to_string(in.kv_cache));
  if (in.model.sparse24) j.value("sparsity", "2:4");
  j.value("batch", in.batch).value("prompt_tokens", in.prompt).value("output_tokens", in.output).value("context", in.context);
  j.value("cuda_graphs", in.cuda_graphs).value("tensor_parallel", in.parallel.tp);
  j.value("pipeline_parallel", in.parallel.pp).value("expert_parallel", in.parallel.ep).value("nodes", in.node.node_count);
  j.value("total_params", p.params.total()).value("active_params", p.params.active(in.model.active_params_include_embedding));
  j.value("kv_bytes_per_token", p.kv_bytes_per_token);
  j.begin_array("accuracy_notes");
  for (const auto& a : in.accuracy_notes) j.value("", a);
  j.end_array();
  j.begin_array("precision_notes");
  for (const auto& a : in.precision_notes) j.value("", a);
  j.end_array();
  if (p.serving_power_w > 0) j.value("serving_power_w", p.serving_power_w);
  j.value("fits", p.fits);
  j.begin_object("memory");
  j.value("weights_bytes", p.memory.weights).value("kv_cache_bytes", p.memory.kv_cache);
  j.value("activation_bytes", p.memory.activations).value("reserve_bytes", p.memory.reserve);
  j.value("total_bytes", p.memory.total()).value("capacity_bytes", p.memory.capacity).value("free_bytes", p.memory.free());
  j.end_object();
  if (!p.fits) {
    j.begin_array("would_fit");
    for (const auto& s : p.suggestions) j.value("", s);
    j.end_array();
  } else {
    j.value("prefill_s", p.prefill_s).value("decode_step_s", p.decode_step_s).value("ttft_s", p.ttft_s);
    j.value("tpot_s", p.tpot_s).value("e2e_s", p.e2e_s).value("throughput_tok_s", p.throughput_tok_s);
    j.value("prefill_gpu_busy_s", p.prefill_gpu_busy_s).value("prefill_host_busy_s", p.prefill_host_busy_s);
    j.value("decode_gpu_busy_s", p.decode_gpu_busy_s).value("decode_host_busy_s", p.decode_host_busy_s);
    j.value("prefill_kernels", p.prefill_kernels).value("decode_kernels", p.decode_kernels);
    j.value("prefill_comm_s", p.prefill_comm_s).value("decode_comm_s", p.decode_comm_s).value("moe_imbalance", p.moe_imbalance);
    j.value("offloaded_layers", p.offloaded_layers).value("offload_stream_bytes", p.offload_stream_bytes);
    if (p.memory.host_weights > 0 || p.memory.host_kv > 0)
      j.value("offload_link_Bps", p.offload_link_Bps)
          .value("offload_host_memory", std::string(p.offload_zero_copy ? "unified" : p.offload_pageable ? "pageable" : p.offload_cxl ? "cxl" : "pinned"));
    j.value("host_weight_bytes", p.memory.host_weights).value("host_kv_bytes", p.memory.host_kv);
    j.value("efficiencies", p.calibration);
    auto classes = [&](const char* phase, const Prediction::KernelClasses& c) {
      j.begin_object(phase).value("gemm_s", c.gemm_s).value("attention_s", c.attention_s).value("elementwise_s", c.elementwise_s).end_object();
    };
    j.begin_object("kernel_classes");
    classes("prefill", p.prefill_classes);
    classes("decode", p.decode_classes);
    j.end_object();
    j.begin_object("achieved");
    j.value("peak_precision", to_string(p.peaks.precision)).value("peak_sparse24", p.peaks.sparse24);
    j.value("peak_flops_per_s_per_gpu", p.peaks.flops_per_s);
    j.value("peak_bytes_per_s_per_gpu", p.peaks.bytes_per_s).value("gpus", in.parallel.gpus());
    j.value("prefill_model_flops", p.prefill_work.flops).value("prefill_model_bytes", p.prefill_work.bytes);
    j.value("prefill_flops_per_s", p.prefill_rate.flops_per_s).value("prefill_mfu", p.prefill_rate.mfu);
    j.value("prefill_mbu", p.prefill_rate.mbu);
    j.value("decode_model_flops", p.decode_work.flops).value("decode_model_bytes", p.decode_work.bytes);
    j.value("decode_bytes_per_s", p.decode_rate.bytes_per_s).value("decode_mbu", p.decode_rate.mbu);
    j.value("decode_mfu", p.decode_rate.mfu);
    j.end_object();
    if (p.power) {
      const BatchPower& w = *p.power;
      j.begin_object("power").value("source", w.source).value("limit_w", w.limit_w);
      j.value("prefill_sm_clock_mhz", w.prefill_clock_mhz).value("prefill_limiter", w.prefill_limiter);
      j.value("decode_sm_clock_mhz", w.decode_clock_mhz).end_object();
      // "thermal" and "energy" as a request stream and a burn write them (docs/json.md)
      j.begin_object("thermal").value("max_temp_c", w.max_temp_c).value("busy_power_w", w.busy_power_w);
      j.value("throttled_fraction", w.throttled_fraction).end_object();
      j.begin_object("energy").value("kwh", w.energy_j * in.node.total_gpus() / 3.6e6).end_object();
    }
  }
  cost_json(j, ri, r);
  if (r.bands) bands_json(j, *r.bands);
  j.end_object();
  return j.str();
}

std::string render_csv(const RunInputs& ri, const RunResult& r) {
  const Prediction& p = *r.fixed;
  std::ostringstream o;
  o << "key,value\n";
  o << "scenario," << csv_field(ri.title) << "\n";
  o << "fits," << (p.fits ? "true" : "false") << "\n";
  auto row = [&](const char* k, double v) { o << k << "," << csv_number(v) << "\n"; };
  row("weights_bytes", p.memory.weights);
  row("kv_cache_bytes", p.memory.kv_cache);
  row("activation_bytes", p.memory.activations);
  row("reserve_bytes", p.memory.reserve);
  row("total_bytes", p.memory.total());
  row("capacity_bytes", p.memory.capacity);
  if (p.fits) {
    row("prefill_s", p.prefill_s);
    row("decode_step_s", p.decode_step_s);
    row("ttft_s", p.ttft_s);
    row("tpot_s", p.tpot_s);
    row("e2e_s", p.e2e_s);
    row("throughput_tok_s", p.throughput_tok_s);
    row("prefill_mfu", p.prefill_rate.mfu);
    row("decode_mbu", p.decode_rate.mbu);
    if (p.serving_power_w > 0) row("power_w", p.serving_power_w);
  }
  o << verdict_csv(r);
  o << cost_csv(ri, r);
  return o.str();
}

}  // namespace

std::string render_fixed(const RunInputs& in, const RunResult& r, Format f) {
  switch (f) {
    case Format::text: return render_text(in, r);
    case Format::json: return render_json(in, r);
    case Format::csv: return render_csv(in, r);
  }
  return "";
}

}  // namespace dssim
