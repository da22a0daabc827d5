#include "report/bands_section.hpp"
#include "report/report.hpp"

#include <sstream>

#include "report/cost_section.hpp"
#include "report/verdict_section.hpp"

#include "util/csv.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

// The launch command, flag by flag: what dssim took from it, and what the engine would log.
std::string engine_text(const EngineCommand& e, const RunInputs& in, const ServingPrediction& p) {
  std::ostringstream o;
  o << "\nEngine    " << e.kind << " launch command" << (e.model.empty() ? "" : ", serving " + e.model) << "\n";
  for (const EngineSetting& st : e.settings) {
    if (st.key.empty()) {
      o << fmt("  %-44s no effect here: %s\n", st.flag.c_str(), st.note.c_str());
      continue;
    }
    o << fmt("  %-44s %s = %s%s\n", st.flag.c_str(), st.key.c_str(), st.value.c_str(),
             st.note.empty() ? "" : ("  (" + st.note + ")").c_str());
  }
  if (e.gpu_dependent_batch_defaults && e.kind == "vllm")
    o << fmt("  %-44s serving.max_batch = %d, batch token limit from the GPU (%s)\n", "(vLLM's batch defaults)",
             in.serving.max_batch, in.base.gpu.id.c_str());
  if (e.prefix_cache_by_default)
    o << fmt("  %-44s %s\n", "(prefix caching on by default)",
             in.serving.prefix_cache ? "on: the trace carries prefix hashes"
                                     : "off here: the requests carry no prefix hashes to share");
  if (!e.ignored.empty()) o << "  no effect on performance: " << join(e.ignored, ", ") << "\n";
  if (p.fits) {
    const long long tokens = p.kv_blocks * in.serving.block_size;
    if (e.kind == "vllm")
      o << fmt("  vLLM would log: \"GPU KV cache size: %lld tokens\" (%lld blocks of %lld) per engine\n", tokens,
               p.kv_blocks, in.serving.block_size);
    else
      o << fmt("  SGLang would log: \"KV Cache is allocated. #tokens: %lld\" per engine\n", tokens);
  }
  return o.str();
}

std::string tokens_text(double n) {
  if (n >= 1e9) return fmt("%.2f G", n / 1e9);
  if (n >= 1e6) return fmt("%.2f M", n / 1e6);
  if (n >= 1e4) return fmt("%.1f k", n / 1e3);
  return fmt("%.0f", n);
}

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

std::string ms(double s) { return fmt(" %11.2f", s * 1e3); }

void dist_row(std::ostringstream& o, const char* name, const Distribution& d) {
  o << fmt("  %-22s", name) << ms(d.mean) << ms(d.p50) << ms(d.p90) << ms(d.p99) << fmt("  (%lld)\n", d.count);
}

void dist_json(JsonWriter& j, const std::string& key, const Distribution& d) {
  j.begin_object(key).value("mean", d.mean).value("p50", d.p50).value("p90", d.p90).value("p99", d.p99);
  j.value("count", d.count).end_object();
}

std::string text(const RunInputs& in, const RunResult& r) {
  const PredictInput& b = in.base;
  const ServingConfig& c = in.serving;
  const ServingPrediction& p = *r.stream;
  std::ostringstream o;
  o << header_text(in);
  o << "\n";
  o << verdict_text(r);
  o << fmt("Model     %s, weights %s, KV cache %s\n", b.model.id.c_str(),
           (to_string(b.weights) + (b.model.sparse24 ? " 2:4-sparse" : "")).c_str(), to_string(b.kv_cache).c_str());
  auto pool_text = [&](int n, const ParallelLayout& l) {
    return fmt("%d replica%s x %d GPU%s", n, n > 1 ? "s" : "", l.gpus(),
               l.gpus() > 1 ? fmt("s (%s)", describe(l, b.model.moe.has_value()).c_str()).c_str() : "");
  };
  const PredictInput* d = in.decode_base ? &*in.decode_base : nullptr;
  if (d)
    o << fmt("Platform  prefill on %s: %d x %s, decode on %s: %d x %s%s; disaggregated %dP%dD: prefill %s, decode %s\n",
             b.node.id.c_str(), b.node.total_gpus(), b.gpu.id.c_str(), d->node.id.c_str(), d->node.total_gpus(),
             d->gpu.id.c_str(),
             in.decode_link_Bps > 0 ? fmt(" (its cluster joined by a %.4g Gb/s link)", in.decode_link_Bps * 8 / 1e9).c_str() : "",
             c.prefill_replicas, c.decode_replicas,
             pool_text(c.prefill_replicas, p.prefill_layout).c_str(), pool_text(c.decode_replicas, p.decode_layout).c_str());
  else if (p.disaggregated)
    o << fmt("Platform  %s: %d x %s; disaggregated %dP%dD: prefill %s, decode %s\n", b.node.id.c_str(),
             b.node.total_gpus(), b.gpu.id.c_str(), c.prefill_replicas, c.decode_replicas,
             pool_text(c.prefill_replicas, p.prefill_layout).c_str(), pool_text(c.decode_replicas, p.decode_layout).c_str());
  else
    o << fmt("Platform  %s: %d x %s; %s\n", b.node.id.c_str(), b.node.total_gpus(), b.gpu.id.c_str(),
             pool_text(c.replicas, b.parallel).c_str());
  o << fmt("Serving   policy %s, max_batch %d", c.batch_policy().name().c_str(), c.max_batch);
  o << c.batch_policy().settings();
  o << fmt(", KV block %lld tokens, router %s, CUDA graphs %s", c.block_size, to_string(c.router).c_str(),
           b.cuda_graphs ? "on (decode)" : "off");
  if (c.speculation.on())
    o << fmt(", speculative decoding: %s drafts %d token%s per step", p.drafter.c_str(), c.speculation.tokens,
             c.speculation.tokens == 1 ? "" : "s");
  if (c.prefix_cache) o << ", prefix cache";
  o << "\n";
  o << "Workload  " << in.workload_summary << "\n";
  for (const auto& a : b.precision_notes) o << "Compute   " << a << "\n";
  if (d && d->gpu.id != b.gpu.id)
    for (const auto& a : d->precision_notes) o << "Compute   decode pool: " << a << "\n";
  if (in.engine) o << engine_text(*in.engine, in, p);
  o << (d ? fmt("\nMemory per GPU of a prefill replica (%s)%*sGiB\n", b.gpu.id.c_str(), std::max(1, 12 - static_cast<int>(b.gpu.id.size())), "")
        : p.disaggregated ? "\nMemory per GPU of a prefill replica             GiB\n" : "\nMemory per GPU                                 GiB\n");
  o << fmt("  weights                               %9.2f", p.memory.weights / kGiB);
  o << (p.drafter.empty() ? std::string("\n")
                          : fmt("   (%.2f of them the %s)\n", p.drafter_weight_bytes / kGiB, p.drafter.c_str()));
  const std::string act_label = fmt("activations (%lld-token iteration)", p.iteration_tokens);
  o << fmt("  %-38s%9.2f\n", act_label.c_str(), p.memory.activations / kGiB);
  o << fmt("  runtime reserve                       %9.2f\n", p.memory.reserve / kGiB);
  if (p.memory.host_weights > 0)
    o << fmt("  in host memory (offload)              %9.2f   (weights of the last %d layers, streamed over PCIe every "
             "iteration%s)\n", p.memory.host_weights / kGiB, p.offloaded_layers,
             in.base.pageable_host ? ", copied by the CPU from pageable memory" : in.base.cxl_host ? ", from the node's CXL memory" : "");
  if (p.disaggregated && (p.fits || p.decode_does_not_fit)) {
    if (!p.decode_does_not_fit)
      o << fmt("  KV cache pool                         %9.2f  (%lld blocks of %lld tokens per replica)\n",
               p.kv_pool_bytes / kGiB, p.kv_blocks, c.block_size);
    o << (d ? fmt("Memory per GPU of a decode replica (%s)%*sGiB\n", d->gpu.id.c_str(), std::max(1, 13 - static_cast<int>(d->gpu.id.size())), "")
            : std::string("Memory per GPU of a decode replica              GiB\n"));
    o << fmt("  weights                               %9.2f\n", p.decode_memory.weights / kGiB);
    o << fmt("  runtime reserve                       %9.2f\n", p.decode_memory.reserve / kGiB);
    if (p.decode_does_not_fit) {
      o << fmt("  DOES NOT FIT: %.2f GiB capacity leaves %lld KV blocks\n", p.decode_memory.capacity / kGiB,
               p.decode_kv_blocks);
      for (const auto& x : p.suggestions) o << "  would fit: " << x << "\n";
      return o.str();
    }
    o << fmt("  KV cache pool                         %9.2f  (%lld blocks of %lld tokens per replica)\n",
             p.decode_kv_pool_bytes / kGiB, p.decode_kv_blocks, c.block_size);
  }
  if (!p.fits) {
    o << fmt("  DOES NOT FIT: %.2f GiB capacity leaves %lld KV blocks\n", p.memory.capacity / kGiB, p.kv_blocks);
    for (const auto& s : p.suggestions) o << "  would fit: " << s << "\n";
    return o.str();
  }
  if (!p.disaggregated)
  o << fmt("  KV cache pool                         %9.2f  (%lld blocks of %lld tokens per replica%s)\n",
           p.kv_pool_bytes / kGiB, p.kv_blocks, c.block_size,
           p.host_kv_blocks > 0 ? fmt(", %lld of them in host memory, read over PCIe when used", p.host_kv_blocks).c_str()
                                : "");
  const ServingSummary& s = p.summary;
  o << "\nLatency (ms)                    mean          p50          p90          p99  (requests)\n";
  dist_row(o, "time to first token", s.ttft_s);
  dist_row(o, "time per output token *", s.tpot_s);
  dist_row(o, "inter-token latency **", s.itl_s);
  dist_row(o, "end-to-end", s.e2e_s);
  dist_row(o, "queueing", s.queue_s);
  if (s.disaggregated) dist_row(o, "KV transfer (in TTFT)", s.kv_transfer_s);
  o << "  * per request, (E2E - TTFT) / (output tokens - 1), as vLLM's benchmark defines TPOT\n";
  if (s.percentiles == PercentileMode::sketch)
    o << fmt("  percentiles within %.2f %% (--percentiles sketch: log-binned, the requests not kept), means exact\n",
             kLogHistogramError * 100);
  o << fmt("  ** every gap between two consecutive token deliveries of a request, as vLLM's benchmark defines\n"
           "     ITL (its count is gaps, not requests); percentiles within %.2f %% (log-binned), mean exact\n",
           kLogHistogramError * 100);
  o << "\nThroughput\n";
  o << fmt("  completed                             %lld of %lld (%lld rejected: longer than the KV cache)\n",
           s.completed, s.requests, s.rejected);
  o << fmt("  makespan                              %.3f s simulated\n", s.makespan_s);
  o << fmt("  requests/s                            %.3f\n", s.requests_per_s);
  o << fmt("  output tokens/s                       %.1f\n", s.throughput_tok_s);
  if (c.slo_ttft_s || c.slo_tpot_s)
    o << fmt("  goodput (TTFT <= %s, TPOT <= %s)   %.3f requests/s\n",
             c.slo_ttft_s ? fmt("%g s", *c.slo_ttft_s).c_str() : "any", c.slo_tpot_s ? fmt("%g s", *c.slo_tpot_s).c_str() : "any",
             s.goodput_rps);
  // Busy is "any work in flight", which a light load also reaches: the batch occupancy says how full.
  o << fmt("  GPU busy                              %.1f %% of the time with work in flight (batch occupancy %.0f %%: mean %.1f of max_batch %d)\n",
           s.gpu_busy_fraction * 100, s.mean_batch / c.max_batch * 100, s.mean_batch, c.max_batch);
  o << fmt("  mean batch                            %.2f sequences per iteration (%lld iterations)\n", s.mean_batch,
           s.iterations);
  o << fmt("  achieved while busy, per GPU          %.1f TFLOP/s of the model's arithmetic (MFU %.1f %% of %.0f %s), "
           "%.2f TB/s of its bytes (MBU %.1f %% of %.2f)\n", p.achieved.flops_per_s / 1e12, p.achieved.mfu * 100,
           p.peaks.flops_per_s / 1e12, p.peaks.label().c_str(), p.achieved.bytes_per_s / 1e12,
           p.achieved.mbu * 100, p.peaks.bytes_per_s / 1e12);
  if (d)
    o << fmt("                                        (peaks weighed by each pool's busy GPU-seconds: prefill %.0f TFLOP/s, "
             "%.2f TB/s; decode %.0f, %.2f)\n", p.prefill_peaks.flops_per_s / 1e12, p.prefill_peaks.bytes_per_s / 1e12,
             p.decode_peaks.flops_per_s / 1e12, p.decode_peaks.bytes_per_s / 1e12);
  o << fmt("  preemptions                           %lld\n", s.preemptions);
  if (s.speculation)
    o << fmt("  speculative decoding                  %.3f tokens per decode step (%s, %d drafted, acceptance %.2f: "
             "expected %.3f)\n", s.tokens_per_step, p.drafter.c_str(), c.speculation.tokens, c.speculation.acceptance,
             c.speculation.expected_tokens());
  if (s.prefix_cache) {
    o << fmt("  prefix cache                          %.1f %% of prompt tokens found (GPU %.1f %%, host %.1f %%, SSD %.1f %%)\n",
             s.prefix_hit_fraction * 100, s.prefix_tier_fraction[0] * 100, s.prefix_tier_fraction[1] * 100,
             s.prefix_tier_fraction[2] * 100);
    o << fmt("                                        %s of %s prompt tokens prefilled; blocks of %lld tokens; tiers: "
             "GPU (free KV blocks)%s%s\n", tokens_text(static_cast<double>(s.prefix_looked_tokens - s.prefix_hit_tokens)).c_str(),
             tokens_text(static_cast<double>(s.prefix_looked_tokens)).c_str(), c.prefix_block_tokens,
             c.prefix_host_bytes > 0 ? fmt(", host %s", human_bytes(c.prefix_host_bytes).c_str()).c_str() : "",
             c.prefix_ssd_bytes > 0 ? fmt(", SSD %s", human_bytes(c.prefix_ssd_bytes).c_str()).c_str() : "");
  }
  o << fmt("  Little's law                          L = %.4f, lambda x W = %.4f\n", s.littles_L, s.littles_lambda_W);
  if (d)
    o << fmt("  efficiencies: prefill %s; decode %s\n", p.calibration.c_str(), p.decode_calibration.c_str());
  else
    o << fmt("  efficiencies: %s\n", p.calibration.c_str());
  if (s.has_power) {
    o << "\nPower and temperature (per GPU)\n";
    if (d) {
      o << fmt("  power model, prefill                  %s; limit %.0f W\n", p.power_source.c_str(), p.power_limit_w);
      o << fmt("  power model, decode                   %s; limit %.0f W\n",
               p.decode_power_source.empty() ? "none (no load traces): not counted" : p.decode_power_source.c_str(),
               p.decode_power_limit_w);
      o << fmt("  cooling                               prefill %s; decode %s; ambient %.1f C\n", p.cooling.c_str(),
               p.decode_cooling.c_str(), b.env.ambient_c);
      const PoolPower pp = pool_power(p.run, 0, p.prefill_layout.gpus()), dp = pool_power(p.run, 1, p.decode_layout.gpus());
      o << fmt("  mean power                            %.1f W (%.1f W while busy); prefill %s %.1f W (%.1f busy), decode %s "
               "%.1f W (%.1f busy)\n", s.mean_power_w, s.busy_power_w, b.gpu.id.c_str(), pp.mean_w, pp.busy_w,
               d->gpu.id.c_str(), dp.mean_w, dp.busy_w);
      o << fmt("  max temperature                       %.1f C (prefill %.1f, decode %.1f)\n", s.max_temp_c, pp.max_temp_c,
               dp.max_temp_c);
      o << fmt("  throttled                             %.1f %% of busy time (prefill %.1f %%, decode %.1f %%)\n",
               s.throttled_fraction * 100, pp.throttled_fraction * 100, dp.throttled_fraction * 100);
    } else {
      o << fmt("  power model                           %s; limit %.0f W\n", p.power_source.c_str(), p.power_limit_w);
      o << fmt("  cooling                               %s, ambient %.1f C\n", p.cooling.c_str(), b.env.ambient_c);
      o << fmt("  mean power                            %.1f W (%.1f W while busy)\n", s.mean_power_w, s.busy_power_w);
      o << fmt("  max temperature                       %.1f C\n", s.max_temp_c);
      o << fmt("  throttled                             %.1f %% of busy time\n", s.throttled_fraction * 100);
    }
    const bool estimated = b.node.host_power_estimated || (d && d->node.host_power_estimated);
    const std::string label = fmt("energy (GPUs + %.0f W host%s)", in.host_power_w(), estimated ? ", estimate" : "");
    o << fmt("  %-37s %.3f kWh, %.3f kWh per million output tokens\n", label.c_str(), s.energy_kwh, s.kwh_per_million_tokens);
  }
  if (r.roi && in.cost) {
    const RoiResult& x = *r.roi;
    o << fmt("\nROI vs renting (%d GPU%s, %.0f%% utilization, %g-month horizon, %.1f tokens/s while busy)\n",
             in.total_gpus(), in.total_gpus() > 1 ? "s" : "", in.cost->utilization * 100, in.cost->horizon_months,
             r.roi_throughput_tok_s);
    if (const std::string note = verdict_money_note(r); !note.empty()) o << "  " << note << "\n";
    if (!r.roi_throughput_source.empty()) o << "  tokens counted                        " << r.roi_throughput_source << "\n";
    const std::string parts = hardware_lines(*in.cost, in.total_gpus());
    o << fmt("  hardware                              %s%s\n", dollars(x.hardware_usd).c_str(), parts.empty() ? "" : (": " + parts).c_str());
    o << "  break-even                            " << break_even_text(x) << "\n";
    o << fmt("  ROI at %g months                      %s\n", in.cost->horizon_months, percent(x.roi_pct).c_str());
    o << "  NPV of buying                         " << npv_text(x, *in.cost) << "\n";
    o << fmt("  $ per million output tokens           on-prem %s, cloud %s\n", usd(x.usd_per_million_tokens_onprem).c_str(),
             usd(x.usd_per_million_tokens_cloud).c_str());
  }
  if (r.bands) o << bands_text(*r.bands, true);
  o << prices_text(in);
  return o.str();
}

std::string json(const RunInputs& in, const RunResult& r) {
  const PredictInput& b = in.base;
  const ServingConfig& c = in.serving;
  const ServingPrediction& p = *r.stream;
  const ServingSummary& s = p.summary;
  JsonWriter j;
  j.begin_document("request_stream").value("scenario", in.title);
  overrides_json(j, in);
  verdict_json(j, r.verdict);
  j.value("model", b.model.id).value("gpu", b.gpu.id);
  j.begin_array("precision_notes");
  for (const auto& a : b.precision_notes) j.value("", a);
  if (in.decode_base && in.decode_base->gpu.id != b.gpu.id)
    for (const auto& a : in.decode_base->precision_notes) j.value("", "decode pool: " + a);
  j.end_array();
  j.value("policy", c.batch_policy().name()).value("replicas", c.replicas).value("tensor_parallel", b.parallel.tp);
  if (p.disaggregated) {
    j.begin_object("disaggregation").value("prefill_replicas", c.prefill_replicas).value("decode_replicas", c.decode_replicas);
    j.value("prefill_gpus_per_replica", p.prefill_layout.gpus()).value("decode_gpus_per_replica", p.decode_layout.gpus());
    j.value("prefill_tensor_parallel", p.prefill_layout.tp).value("prefill_expert_parallel", p.prefill_layout.ep);
    j.value("decode_tensor_parallel", p.decode_layout.tp).value("decode_expert_parallel", p.decode_layout.ep);
    j.value("decode_kv_blocks", p.decode_kv_blocks).value("decode_kv_cache_bytes", p.decode_kv_pool_bytes);
    if (in.decode_base) {
      const PredictInput& d = *in.decode_base;
      j.begin_object("decode_platform").value("node", d.node.id).value("gpu", d.gpu.id).value("nodes", d.node.node_count);
      j.value("gpus", d.node.total_gpus()).value("peak_flops_per_s_per_gpu", p.decode_peaks.flops_per_s);
      if (in.decode_link_Bps > 0) j.value("link_bytes_per_s", in.decode_link_Bps).value("link_latency_s", in.decode_link_latency_s);
      j.value("peak_bytes_per_s_per_gpu", p.decode_peaks.bytes_per_s);
      if (p.fits && p.summary.has_power) {
        const PoolPower pp = pool_power(p.run, 0, p.prefill_layout.gpus()), dp = pool_power(p.run, 1, p.decode_layout.gpus());
        j.value("prefill_mean_power_w", pp.mean_w).value("prefill_busy_power_w", pp.busy_w);
        j.value("decode_mean_power_w", dp.mean_w).value("decode_busy_power_w", dp.busy_w);
        j.value("decode_max_temp_c", dp.max_temp_c);
      }
      j.end_object();
    }
    j.end_object();
  }
  j.value("offloaded_layers", p.offloaded_layers).value("host_weight_bytes", p.memory.host_weights);
  j.value("host_kv_blocks", p.host_kv_blocks);
  j.value("pipeline_parallel", b.parallel.pp).value("expert_parallel", b.parallel.ep).value("nodes", b.node.node_count);
  j.value("workload", in.workload_summary).value("fits", p.fits);
  j.begin_object("memory").value("weights_bytes", p.memory.weights).value("activation_bytes", p.memory.activations);
  j.value("reserve_bytes", p.memory.reserve).value("kv_cache_bytes", p.kv_pool_bytes).value("capacity_bytes", p.memory.capacity);
  j.value("kv_blocks", p.kv_blocks).end_object();
  if (p.fits) {
    j.begin_object("summary");
    dist_json(j, "ttft_s", s.ttft_s);
    dist_json(j, "tpot_s", s.tpot_s);
    dist_json(j, "itl_s", s.itl_s);
    dist_json(j, "e2e_s", s.e2e_s);
    dist_json(j, "queue_s", s.queue_s);
    dist_json(j, "service_s", s.service_s);
    if (s.disaggregated) dist_json(j, "kv_transfer_s", s.kv_transfer_s);
    j.value("percentiles", percentile_mode_name(s.percentiles));
    j.value("requests", s.requests).value("completed", s.completed).value("rejected", s.rejected);
    j.value("makespan_s", s.makespan_s).value("requests_per_s", s.requests_per_s);
    j.value("throughput_tok_s", s.throughput_tok_s).value("goodput_rps", s.goodput_rps);
    j.value("gpu_busy_fraction", s.gpu_busy_fraction).value("mean_batch", s.mean_batch);
    j.value("preemptions", s.preemptions).value("iterations", s.iterations);
    j.begin_object("achieved");
    j.value("peak_precision", to_string(p.peaks.precision)).value("peak_sparse24", p.peaks.sparse24);
    j.value("peak_flops_per_s_per_gpu", p.peaks.flops_per_s);
    j.value("peak_bytes_per_s_per_gpu", p.peaks.bytes_per_s).value("gpu_busy_s", s.gpu_busy_s);
    j.value("model_flops", s.model_flops).value("model_bytes", s.model_bytes);
    j.value("flops_per_s_per_busy_gpu", p.achieved.flops_per_s).value("mfu", p.achieved.mfu);
    j.value("bytes_per_s_per_busy_gpu", p.achieved.bytes_per_s).value("mbu", p.achieved.mbu);
    j.end_object();
    if (in.engine) {
      j.begin_object("engine").value("kind", in.engine->kind).value("model", in.engine->model);
      j.begin_array("settings");
      for (const EngineSetting& st : in.engine->settings) {
        j.begin_object().value("flag", st.flag).value("key", st.key).value("value", st.value);
        j.value("note", st.note).end_object();
      }
      j.end_array();
      j.begin_array("no_effect");
      for (const std::string& x : in.engine->ignored) j.value("", x);
      j.end_array();
      j.value("kv_cache_tokens", p.kv_blocks * c.block_size).end_object();
    }
    if (s.speculation) {
      j.begin_object("speculation").value("drafter", p.drafter).value("drafted_tokens", c.speculation.tokens);
      j.value("acceptance_rate", c.speculation.acceptance).value("expected_tokens_per_step", c.speculation.expected_tokens());
      j.value("tokens_per_step", s.tokens_per_step).value("drafter_weight_bytes", p.drafter_weight_bytes).end_object();
    }
    if (s.prefix_cache) {
      j.begin_object("prefix_cache").value("looked_tokens", s.prefix_looked_tokens).value("hit_tokens", s.prefix_hit_tokens);
      j.value("hit_fraction", s.prefix_hit_fraction).value("gpu_fraction", s.prefix_tier_fraction[0]);
      j.value("host_fraction", s.prefix_tier_fraction[1]).value("ssd_fraction", s.prefix_tier_fraction[2]);
      j.value("block_tokens", c.prefix_block_tokens).value("host_bytes", c.prefix_host_bytes);
      j.value("ssd_bytes", c.prefix_ssd_bytes).end_object();
    }
    j.begin_object("littles_law").value("L", s.littles_L).value("lambda_W", s.littles_lambda_W).end_object();
    j.end_object();
    if (s.has_power) {
      j.begin_object("thermal").value("max_temp_c", s.max_temp_c).value("mean_power_w", s.mean_power_w);
      j.value("busy_power_w", s.busy_power_w).value("throttled_fraction", s.throttled_fraction);
      j.value("shutdown_reached", s.shutdown_reached).end_object();
      j.begin_object("energy").value("kwh", s.energy_kwh).value("kwh_per_million_tokens", s.kwh_per_million_tokens).end_object();
    }
  } else {
    j.begin_array("would_fit");
    for (const auto& x : p.suggestions) j.value("", x);
    j.end_array();
  }
  cost_json(j, in, r);
  if (r.bands) bands_json(j, *r.bands);
  j.end_object();
  return j.str();
}

std::string csv(const RunInputs& in, const RunResult& r) {
  const ServingSummary& s = r.stream->summary;
  std::ostringstream o;
  o << "key,value\nscenario," << csv_field(in.title) << "\nfits," << (r.stream->fits ? "true" : "false") << "\n";
  if (!r.stream->fits) return o.str();
  auto dist = [&](const char* k, const Distribution& d) {
    o << fmt("%s.mean,%.9g\n%s.p50,%.9g\n%s.p90,%.9g\n%s.p99,%.9g\n", k, d.mean, k, d.p50, k, d.p90, k, d.p99);
  };
  dist("ttft_s", s.ttft_s);
  dist("tpot_s", s.tpot_s);
  dist("itl_s", s.itl_s);
  dist("e2e_s", s.e2e_s);
  dist("queue_s", s.queue_s);
  o << fmt("completed,%lld\nrejected,%lld\nrequests_per_s,%.9g\nthroughput_tok_s,%.9g\ngoodput_rps,%.9g\n", s.completed,
           s.rejected, s.requests_per_s, s.throughput_tok_s, s.goodput_rps);
  o << fmt("gpu_busy_fraction,%.9g\nmean_batch,%.9g\npreemptions,%lld\n", s.gpu_busy_fraction, s.mean_batch, s.preemptions);
  o << fmt("mfu,%.9g\nmbu,%.9g\n", r.stream->achieved.mfu, r.stream->achieved.mbu);
  if (s.speculation) o << fmt("tokens_per_decode_step,%.9g\n", s.tokens_per_step);
  if (s.prefix_cache)
    o << fmt("prefix_hit_fraction,%.9g\nprefix_gpu_fraction,%.9g\nprefix_host_fraction,%.9g\nprefix_ssd_fraction,%.9g\n",
             s.prefix_hit_fraction, s.prefix_tier_fraction[0], s.prefix_tier_fraction[1], s.prefix_tier_fraction[2]);
  if (s.has_power)
    o << fmt("power_w,%.9g\nmax_temp_c,%.9g\nthrottled_fraction,%.9g\nenergy_kwh,%.9g\n", s.busy_power_w, s.max_temp_c,
             s.throttled_fraction, s.energy_kwh);
  o << verdict_csv(r);
  o << cost_csv(in, r);
  return o.str();
}

}  // namespace

std::string render_stream(const RunInputs& in, const RunResult& r, Format f) {
  switch (f) {
    case Format::text: return text(in, r);
    case Format::json: return json(in, r);
    case Format::csv: return csv(in, r);
  }
  return "";
}

}  // namespace dssim
