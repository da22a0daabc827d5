#include "run/fixed_batch.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "timing/kernel_cost.hpp"
#include "kernel_sim/iteration_sim.hpp"
#include "kernel_sim/sim_iteration.hpp"
#include "run/batch_power.hpp"
#include "model/model_work.hpp"
#include "model/operators.hpp"
#include "power/power_model.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

void validate_input(const PredictInput& in) {
  validate_layout(in.model, in.parallel, 1, in.node.total_gpus());
  if (in.cxl_host && in.node.cxl_expanders == 0)
    throw Error(fmt("[memory] host_memory = \"cxl\": node %s has no CXL memory expanders (node file keys cxl_expanders, "
                    "cxl_GBps, cxl_memory_gib); use a node that has them, or host_memory = \"pinned\"",
                    in.node.id.c_str()));
  if (!in.gpu.peak_flops.count(in.gpu.compute_precision(in.weights)) && in.weights != Precision::fp32)
    throw Error(fmt("%s has no usable compute rate for %s weights", in.gpu.id.c_str(), to_string(in.weights).c_str()));
  if (in.model.sparse24 && !in.gpu.structured_sparsity)
    throw Error(fmt("[model] sparsity = \"2:4\" needs sparse tensor cores (Ampere or later); %s (%s) has none: "
                    "choose an A10/A100/H100/H200/L40S/RTX 4090-class GPU, or sparsity = \"none\"",
                    in.gpu.id.c_str(), in.gpu.architecture.c_str()));
  if ((in.offload_weights || in.offload_kv) && in.parallel.two_batch_overlap)
    throw Error("[memory] offload with two_batch_overlap is not modelled: choose one");
  if ((in.offload_weights || in.offload_kv) && in.parallel.pp > 1)
    throw Error("[memory] offload with pipeline_parallel > 1 is not modelled: offload streams whole layers over each "
                "GPU's PCIe link in a single-stage replica; use tensor_parallel, or more stages without offload");
}

UtilisationPeaks utilisation_peaks(const PredictInput& in, Precision activations, const KernelCostModel& cost) {
  UtilisationPeaks u;
  u.precision = in.gpu.compute_precision(cost.runs_weight_only(in.weights, in.weight_only) ? activations : in.weights);
  u.flops_per_s = in.gpu.peak(u.precision);
  if (in.model.sparse24 && in.gpu.structured_sparsity) {
    u.sparse24 = true;
    u.flops_per_s *= 2;
  }
  u.bytes_per_s = in.gpu.memory_bw_Bps;
  return u;
}

std::string UtilisationPeaks::label() const { return to_string(precision) + (sparse24 ? " 2:4-sparse" : ""); }

double host_memory_limit(const PredictInput& in) {
  if (in.cxl_host) return in.node.cxl_capacity_bytes();  // what the expanders hold, whatever the DRAM
  return in.host_memory_bytes > 0 ? in.host_memory_bytes : in.node.host_memory_bytes;
}

HostCopy host_copy(const PredictInput& in) {
  HostCopy c;
  if (in.gpu.unified_memory()) {
    c.zero_copy = true;
    return c;
  }
  c.efficiency = in.runtime.pinned_copy_efficiency;
  if (in.pageable_host) {
    const double host = in.profile.profile.pcie_pageable_Bps;
    if (host <= 0)
      throw Error(fmt("[memory] host_memory = \"pageable\": the profile %s is priced with has no pageable copy rate "
                      "(pcie_pageable_GBps: h2d_pageable rows of 256 MiB or more in its bandwidth.csv)",
                      in.gpu.id.c_str()));
    c.efficiency = std::min(c.efficiency, host / in.gpu.pcie_Bps_per_direction);
  }
  c.rate_Bps = in.gpu.pcie_Bps_per_direction * c.efficiency;
  return c;
}

ForwardConfig forward_config(const PredictInput& in, Precision activations) {
  ForwardConfig fc;
  fc.weights = in.weights;
  fc.activations = activations;
  fc.kv_cache = in.kv_cache;
  fc.weight_only = in.weight_only;
  fc.layout = in.parallel;
  fc.fused = in.runtime.fused_kernels;
  fc.decode_kv_per_query_head = in.runtime.decode_kv_per_query_head;
  return fc;
}

namespace {

// Moves what does not fit into host memory: whole layers' weights from the last layer backwards, then the
// oldest KV tokens of every sequence. The host memory of a node serves the GPUs of the replica on it.
void plan_offload(const PredictInput& in, MemoryRequest& mr, Prediction& p) {
  const ModelCard& m = in.model;
  if (in.offload_weights) p.offloaded_layers = offload_weight_layers(m, in.gpu, mr, in.gpu_layers);
  if (in.offload_kv && !memory_per_gpu(m, in.gpu, mr).fits()) {
    long long lo = 0, hi = mr.kv_tokens;  // fewest host tokens that fit
    auto with = [&](long long host) {
      MemoryRequest q = mr;
      q.host_kv_tokens = host;
      const MemoryBreakdown b = memory_per_gpu(m, in.gpu, q);
      q.staging_bytes += 2.0 * b.host_kv / m.num_hidden_layers;
      return memory_per_gpu(m, in.gpu, q).fits();
    };
    if (with(hi)) {
      while (lo < hi) {
        const long long mid = (lo + hi) / 2;
        if (with(mid)) hi = mid;
        else lo = mid + 1;
      }
      mr.host_kv_tokens = hi;
      mr.staging_bytes += 2.0 * memory_per_gpu(m, in.gpu, mr).host_kv / m.num_hidden_layers;
    }
  }
  p.memory = memory_per_gpu(m, in.gpu, mr);
  p.host_kv_tokens = mr.host_kv_tokens;
  p.fits = p.memory.fits();
  const bool unified = in.gpu.unified_memory();  // no memory to offload to beside the GPU's own
  if (!p.fits && in.gpu_layers >= 0 && p.offloaded_layers < m.num_hidden_layers && !unified) {
    MemoryRequest q = mr;  // the most layers that would fit, found the way offload_weights finds it
    q.offloaded_weight_bytes = q.staging_bytes = 0;
    const int most = m.num_hidden_layers - offload_weight_layers(m, in.gpu, q);
    if (memory_per_gpu(m, in.gpu, q).fits())
      p.suggestions.push_back(fmt("[memory] gpu_layers = %d at most: %d layers on each GPU need %s more than it has",
                                  most, m.num_hidden_layers - p.offloaded_layers,
                                  human_bytes(p.memory.total() - p.memory.capacity).c_str()));
  }
  const int gpus_on_node = std::min(in.parallel.gpus(), in.node.gpu_count);
  const double need = (p.memory.host_weights + p.memory.host_kv) * gpus_on_node;
  if (unified) {
    // Unified memory: the "host" copy lives in the same memory as the GPU's share, so it must fit beside it.
    if (p.fits && need > p.memory.free() * gpus_on_node) {
      p.fits = false;
      p.suggestions.push_back(fmt("%s has unified memory: what is offloaded to host memory (%s) stays in the same %s "
                                  "the GPU uses, and only %s of it is free; offload frees nothing there",
                                  in.gpu.id.c_str(), human_bytes(need).c_str(), human_bytes(p.memory.capacity).c_str(),
                                  human_bytes(p.memory.free() * gpus_on_node).c_str()));
    }
    return;
  }
  const double limit = host_memory_limit(in);
  if (limit <= 0) {
    p.warnings.push_back(fmt("offload puts %s in each node's host memory; neither [memory] host_memory_gib nor the "
                             "node file says how much there is, so it is not checked", human_bytes(need).c_str()));
  } else if (p.fits && need > limit) {
    p.fits = false;
    p.suggestions.push_back(fmt("more host memory: offload needs %s of host memory per node; it has %s",
                                human_bytes(need).c_str(), human_bytes(limit).c_str()));
  }
}

Prediction::KernelClasses kernel_classes(const SimStep& st) {
  Prediction::KernelClasses c;
  for (const SimKernel& k : st.stages[0].kernels) {
    if (k.kind == OpKind::gemm) c.gemm_s += k.gpu_s;
    else if (k.kind == OpKind::attention) c.attention_s += k.gpu_s;
    else if (k.kind == OpKind::elementwise) c.elementwise_s += k.gpu_s;
  }
  const double n = st.microbatches;
  return {c.gemm_s * n, c.attention_s * n, c.elementwise_s * n};
}

int kernel_count(const std::vector<Op>& ops) {
  return static_cast<int>(std::count_if(ops.begin(), ops.end(), [](const Op& o) { return o.kind != OpKind::host_only; }));
}

double power_at_max_clock(const PredictInput& in, const KernelCostModel& cost, const std::vector<SimStep>& its,
                          const std::vector<IterationResult>& res, long long steps) {
  // Without the power observer ([environment] power_model = "off"): the power model at the maximum
  // clock for the work's compute share and the GPU's busy fraction, weighting the prefill once and the
  // decode steps by their number; at most the limit. Nothing slows down for it.
  const PowerInputs& pin = cost.profile().power;
  if (!pin.measured) return 0;
  PowerModel pm = make_power_model(in.gpu, pin, in.profile.own, in.profile.measured_gpu, cost.profile().copy_eff);
  const double dec_w = steps > 0 ? static_cast<double>(steps) : 0.0;
  const double dec_i = static_cast<double>(its.size() - 1);
  double dec_gpu = 0, dec_compute = 0, dec_time = 0, dec_bytes = 0;
  for (std::size_t i = 1; i < its.size(); ++i) {
    dec_gpu += res[i].gpu_busy_s / dec_i;
    dec_compute += its[i].stages[0].compute_s / dec_i;
    dec_bytes += its[i].stages[0].memory_bytes / dec_i;
    dec_time += res[i].duration() / dec_i;
  }
  const double gpu = res[0].gpu_busy_s + dec_w * dec_gpu,
               compute = std::min(gpu, its[0].stages[0].compute_s * its[0].microbatches + dec_w * dec_compute);
  const double bytes = its[0].stages[0].memory_bytes * its[0].microbatches + dec_w * dec_bytes;
  const double time = res[0].duration() + dec_w * dec_time;
  if (gpu <= 0 || time <= 0) return 0;
  return std::min(pm.limit_w, pm.power_w(pm.f_max_mhz, compute / gpu, std::min(1.0, gpu / time),
                                         pm.memory_activity(bytes, gpu - compute)));
}

}  // namespace

Prediction predict(const PredictInput& in, const PowerSetup* power) {
  validate_input(in);
  Prediction p;
  const ModelCard& m = in.model;
  p.params = count_params(m);
  p.kv_bytes_per_token = kv_bytes_per_token(m, in.kv_cache);
  p.activations = activation_precision(in.weights, in.gpu);
  if (in.parallel.two_batch_overlap && in.batch < 2)
    p.warnings.push_back("two_batch_overlap needs a batch of at least 2 to split; this batch of 1 runs without it");

  // Beyond the trained context the arithmetic is the same; the answers may not be: warn, don't refuse.
  const long long longest = std::max(in.prompt + in.output - 1, in.context + 1);
  if (longest > m.max_position_embeddings)
    p.warnings.push_back(fmt("%lld tokens per sequence exceed %s's trained context of %lld tokens", longest, m.id.c_str(),
                             m.max_position_embeddings));

  MemoryRequest mr;
  mr.weights = in.weights;
  mr.kv_cache = in.kv_cache;
  mr.activations = p.activations;
  mr.batch = in.batch;
  mr.prefill_tokens = in.prompt;
  mr.kv_tokens = p.kv_tokens_per_sequence = longest;
  mr.layout = in.parallel;
  mr.set_runtime(in.runtime);
  p.memory = memory_per_gpu(m, in.gpu, mr);
  p.fits = p.memory.fits();
  // gpu_layers offloads as told, fitting or not; offload_weights / offload_kv only what does not fit.
  if ((!p.fits && (in.offload_weights || in.offload_kv)) || (in.gpu_layers >= 0 && in.gpu_layers < m.num_hidden_layers)) {
    if (!p.fits) p.alternatives = what_would_fit(m, in.gpu, mr);
    plan_offload(in, mr, p);
  }
  if (!p.fits) {
    for (const auto& w : what_would_fit(m, in.gpu, mr)) p.suggestions.push_back(w);
    if (!in.offload_weights && !in.offload_kv)
      p.suggestions.push_back("weight or KV-cache offload to host memory ([memory] offload_weights / offload_kv = true): "
                              "slower, each forward pass streams what does not fit over PCIe");
    return p;
  }

  const KernelCostModel cost = model_kernel_costs(in);
  p.calibration = cost.own_measurements() ? "calibrated profile " + in.gpu.profile_path : cost.profile().gpu_id;
  const ParallelLayout& L = in.parallel;
  const ForwardConfig fc = forward_config(in, p.activations);

  // The batch splits into micro-batches that follow each other through the stages. Prefill: all of
  // them, so the pipeline fills and drains. Decode: in steady state every stage is busy with another
  // micro-batch, so a step is one micro-batch's trip through all stages (vLLM's virtual engines).
  // Two-batch overlap: two micro-batches, each on its own stream, in prefill and decode alike.
  const bool overlap = L.two_batch_overlap && in.batch >= 2;
  const int micro = overlap ? 2 : std::min(L.micro(), in.batch);
  const int mb_batch = (in.batch + micro - 1) / micro;
  const HostCopy host = host_copy(in);
  // zero copy: the host-resident bytes are read by the kernels themselves, nothing crosses a link
  const double copy_eff = host.zero_copy ? 0.0 : host.efficiency;
  p.offload_link_Bps = host.rate_Bps;
  p.offload_zero_copy = host.zero_copy;
  p.offload_pageable = in.pageable_host && !host.zero_copy;
  p.offload_cxl = in.cxl_host && !host.zero_copy;
  if (in.node.pcie_switches > 0 && !host.zero_copy) {  // the replica's GPUs under one switch share its uplink
    const int sharing = std::min(L.gpus(), in.node.gpu_count / in.node.pcie_switches);
    p.offload_link_Bps = std::min(p.offload_link_Bps, in.node.pcie_switch_uplink_Bps * copy_eff / sharing);
  }
  if (in.cxl_host)  // every GPU of the replica on a node streams through that node's expanders
    p.offload_link_Bps = std::min(p.offload_link_Bps, in.node.cxl_total_Bps() * copy_eff / std::min(L.gpus(), in.node.gpu_count));
  auto step_for = [&](bool prefill, long long new_tokens, long long context, int microbatches, int* kernels) {
    SimStep st;
    st.microbatches = microbatches;
    for (int s = 0; s < L.pp; ++s) {
      ForwardConfig c = fc;
      c.stage = L.pp > 1 ? s : -1;
      auto ops = build_forward(m, c, ForwardShape{prefill, mb_batch, new_tokens, context});
      if (kernels && s == 0) *kernels = kernel_count(ops);
      // Prefill runs eager (no captured graph fits every prompt shape); decode steps follow cuda_graphs.
      SimIteration it = sim_iteration(ops, cost, in.runtime, mb_batch, new_tokens, !prefill && in.cuda_graphs);
      // Offloaded layers (the last ones) arrive over PCIe before their first kernel; a decode step also
      // reads the host-resident part of each layer's KV cache over PCIe before its attention.
      const int first_offloaded = m.num_hidden_layers - p.offloaded_layers;
      // the oldest host_kv_tokens of each sequence live on the host: a step at context c reads min(c, them)
      const double host_tokens = static_cast<double>(mr.host_kv_tokens);
      const double host_kv_layer =
          !prefill && host_tokens > 0
              ? p.memory.host_kv / host_tokens * std::min(static_cast<double>(context - 1), host_tokens) / m.num_hidden_layers
              : 0.0;
      int seen_layer = -1;
      for (std::size_t k = 0; k < ops.size() && copy_eff > 0; ++k) {
        const Op& op = ops[k];
        if (op.layer >= first_offloaded && op.layer != seen_layer && op.kind == OpKind::gemm) {
          seen_layer = op.layer;
          it.kernels[k].stream_bytes += layer_weight_bytes_per_gpu(m, in.weights, L, op.layer) / copy_eff;
        }
        if (op.kind == OpKind::attention && host_kv_layer > 0) it.kernels[k].stream_bytes += host_kv_layer / copy_eff;
      }
      if (s > 0) it.h2d_bytes = 0;
      if (s + 1 < L.pp) it.d2h_bytes = 0;
      st.stages.push_back(std::move(it));
    }
    return st;
  };

  // Iteration 0: prefill. Then decode steps at the reported context and at sampled contexts across the
  // generation (a step's time is affine in its context, so the samples interpolate the rest exactly
  // up to the attention kernels' own curvature).
  std::vector<SimStep> its;
  its.push_back(step_for(true, in.prompt, in.prompt, micro, &p.prefill_kernels));

  std::set<long long> contexts{in.context};
  const long long steps = in.output - 1;  // the first output token comes from the prefill
  if (steps > 0) {
    const long long first = in.prompt, last = in.prompt + steps - 1;
    const int samples = static_cast<int>(std::min<long long>(steps, 5));
    for (int i = 0; i < samples; ++i)
      contexts.insert(samples == 1 ? first : first + (last - first) * i / (samples - 1));
  }
  std::vector<long long> ctx_list(contexts.begin(), contexts.end());
  for (long long c : ctx_list) its.push_back(step_for(false, 1, c + 1, overlap ? 2 : 1, &p.decode_kernels));
  for (const SimKernel& k : its.back().stages[0].kernels) p.offload_stream_bytes += k.stream_bytes * copy_eff;

  SimSetup setup;
  setup.node = in.node;
  setup.gpu = in.gpu;
  setup.ranks = L.stage_width();
  setup.tp = L.tp;
  setup.pp = L.pp;
  setup.lanes = overlap ? 2 : 1;
  setup.cxl_host = in.cxl_host;
  setup.allreduce = in.allreduce;
  setup.collective_step_s = in.runtime.collective_step_s;
  setup.ep_fractions = ep_receive_shares(m, L);
  if (L.deepep && m.moe && L.ep > 1) {
    setup.ep_touch = ep_touch(*m.moe, L.ep, std::min(in.node.gpu_count, L.ep));
    setup.moe_topk = m.moe->num_experts_per_tok;
    setup.deepep_sms = L.deepep_sms;
    setup.sm_count = in.gpu.sm_count;
  }
  if (!setup.ep_fractions.empty())
    p.moe_imbalance = *std::max_element(setup.ep_fractions.begin(), setup.ep_fractions.end()) * L.ep;
  auto res = simulate_steps(setup, its);

  p.prefill_s = res[0].duration();
  p.prefill_gpu_busy_s = res[0].gpu_busy_s;
  p.prefill_host_busy_s = res[0].host_busy_s;
  p.prefill_comm_s = res[0].comm_s;
  p.prefill_classes = kernel_classes(its[0]);
  for (std::size_t i = 0; i < ctx_list.size(); ++i) {
    if (ctx_list[i] == in.context) {
      p.decode_classes = kernel_classes(its[i + 1]);
      p.decode_step_s = res[i + 1].duration();
      p.decode_gpu_busy_s = res[i + 1].gpu_busy_s;
      p.decode_host_busy_s = res[i + 1].host_busy_s;
      p.decode_comm_s = res[i + 1].comm_s;
    }
  }
  // Every step's load at the calibrated clock: the prefill as simulated, a decode step interpolated
  // between the sampled contexts (each field affine in the context).
  auto load_of = [&](std::size_t i) {
    return StepLoad{res[i].duration(), res[i].gpu_busy_s,
                    std::min(res[i].gpu_busy_s, its[i].stages[0].compute_s * its[i].microbatches),
                    its[i].stages[0].memory_bytes * its[i].microbatches, its[i].stages[0].issue_s * its[i].microbatches};
  };
  auto decode_at = [&](long long c) {
    if (ctx_list.size() == 1) return load_of(1);
    auto hi = std::lower_bound(ctx_list.begin(), ctx_list.end(), c);
    if (hi == ctx_list.begin()) hi = ctx_list.begin() + 1;
    if (hi == ctx_list.end()) hi = ctx_list.end() - 1;
    const auto i = static_cast<std::size_t>(hi - ctx_list.begin());
    const StepLoad a = load_of(i), b = load_of(i + 1);
    const double w = static_cast<double>(c - ctx_list[i - 1]) / static_cast<double>(ctx_list[i] - ctx_list[i - 1]);
    return StepLoad{a.total_s + w * (b.total_s - a.total_s), a.gpu_s + w * (b.gpu_s - a.gpu_s),
                    a.compute_s + w * (b.compute_s - a.compute_s), a.memory_bytes + w * (b.memory_bytes - a.memory_bytes),
                    a.issue_s + w * (b.issue_s - a.issue_s)};
  };
  double decode_total = 0;
  if (power) {
    // The power observer paces every step: the same controller as a request stream's.
    const BatchPower bp = pace_batch(*power, load_of(0), decode_at, in.prompt, steps, in.context);
    const double decode_host = p.decode_step_s - p.decode_gpu_busy_s;
    p.prefill_gpu_busy_s = bp.prefill_s - (p.prefill_s - p.prefill_gpu_busy_s);
    p.prefill_s = bp.prefill_s;
    p.decode_step_s = bp.decode_at_context_s;
    p.decode_gpu_busy_s = bp.decode_at_context_s - decode_host;
    decode_total = bp.decode_total_s;
    p.serving_power_w = bp.busy_power_w;
    p.power = bp;
  } else {
    for (long long j = 0; j < steps; ++j) decode_total += decode_at(in.prompt + j).total_s;
    p.serving_power_w = power_at_max_clock(in, cost, its, res, steps);
  }
  p.peaks = utilisation_peaks(in, p.activations, cost);
  p.prefill_work = model_work(m, fc, ForwardShape{true, in.batch, in.prompt, in.prompt});
  p.decode_work = model_work(m, fc, ForwardShape{false, in.batch, 1, in.context + 1});
  p.prefill_rate = achieved_rates(p.prefill_work, p.prefill_s, L.gpus(), p.peaks.flops_per_s, p.peaks.bytes_per_s);
  p.decode_rate = achieved_rates(p.decode_work, p.decode_step_s, L.gpus(), p.peaks.flops_per_s, p.peaks.bytes_per_s);
  p.ttft_s = p.prefill_s;
  p.e2e_s = p.prefill_s + decode_total;
  p.tpot_s = steps > 0 ? decode_total / static_cast<double>(steps) : 0.0;
  p.throughput_tok_s = static_cast<double>(in.batch) * static_cast<double>(in.output) / p.e2e_s;
  return p;
}

}  // namespace dssim
