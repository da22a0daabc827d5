#include "run/request_stream.hpp"

#include <algorithm>
#include <cmath>

#include "timing/iteration_cost.hpp"
#include "timing/kernel_cost.hpp"
#include "model/operators.hpp"
#include "model/params.hpp"
#include "parallel/layout.hpp"
#include "power/gpu_power.hpp"
#include "run/power_setup.hpp"
#include "run/speculation.hpp"
#include "serving/server_loop.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

double host_kv_read_bytes(const IterationShape& s, double gpu_tokens, double bytes_per_token) {
  double attended = s.decode_context_sum;
  for (const auto& ch : s.prefill) attended += static_cast<double>(ch.context);
  return std::max(0.0, attended - gpu_tokens) * bytes_per_token;
}

// The prefix cache's lower tiers in its blocks, checked against the node: the host tiers of the replicas
// on a node share its memory with offloaded weights; the SSD tier needs the SSDs' read bandwidth.
static void set_prefix_tiers(const PredictInput& b, const ServingConfig& c, const ParallelLayout& L,
                             double kv_token_stored, double host_weights_per_gpu, double host_limit,
                             ServingOptions& opt) {
  const double block_bytes = kv_token_stored * static_cast<double>(c.prefix_block_tokens);
  opt.prefix_host_blocks = static_cast<long long>(std::floor(c.prefix_host_bytes / block_bytes));
  opt.prefix_ssd_blocks = static_cast<long long>(std::floor(c.prefix_ssd_bytes / block_bytes));
  const int per_node = std::max(1, std::min(c.replicas, b.node.gpu_count / L.gpus()));
  if (c.prefix_host_bytes > 0 && host_limit > 0) {
    const double need = c.prefix_host_bytes * per_node + host_weights_per_gpu * std::min(b.node.gpu_count, L.gpus() * per_node);
    if (need > host_limit)
      throw Error(fmt("the prefix cache's host tier (%s per replica, %d replica%s per node)%s needs %s of host memory "
                      "per node; it has %s ([memory] host_memory_gib): make prefix_cache_host_gib at most %s",
                      human_bytes(c.prefix_host_bytes).c_str(), per_node, per_node == 1 ? "" : "s",
                      host_weights_per_gpu > 0 ? " beside the offloaded weights" : "", human_bytes(need).c_str(),
                      human_bytes(host_limit).c_str(),
                      human_bytes(std::max(0.0, (c.prefix_host_bytes * per_node - (need - host_limit)) / per_node)).c_str()),
                  ExitCode::does_not_fit);
  }
  if (c.prefix_ssd_bytes > 0) {
    opt.ssd_read_Bps = c.ssd_read_Bps > 0 ? c.ssd_read_Bps : b.node.ssd_read_Bps;
    if (opt.ssd_read_Bps <= 0)
      throw Error(fmt("the prefix cache's SSD tier needs the read bandwidth of the node's SSDs: the node %s does not say "
                      "(node file key ssd_read_GBps); set [serving] ssd_read_GBps", b.node.id.c_str()));
  }
}

namespace {

// One pool of replicas as it is sized and priced: the memory plan of its GPUs (into `p`) and the
// iteration cost of its layout. `b` is the scenario's input with the pool's layout; `replicas` its
// count (for what the replicas share on a node). The cost function owns what it prices with.
struct PoolModel {
  IterationCostFn cost;
  IterationWorkFn work;
  double kv_token_gpu = 0, kv_token_stored = 0, host_limit = 0;
  bool streams = false;  // weights or KV read from host memory every iteration
};

PoolModel plan_pool(const RunInputs& in, const PredictInput& b, int replicas, ServingPrediction& p) {
  const ServingConfig& c = in.serving;
  const ModelCard& m = b.model;
  const ParallelLayout& L = b.parallel;
  PoolModel pm;
  const long long longest_prompt = std::max(1LL, in.requests->stats().longest_prompt);
  const long long longest = std::max(1LL, in.requests->stats().longest);
  if (longest > m.max_position_embeddings)
    p.warnings.push_back(fmt("requests of up to %lld tokens exceed %s's trained context of %lld tokens", longest,
                             m.id.c_str(), m.max_position_embeddings));

  // Activations are sized for the largest iteration the policy can run; the rest of the memory left
  // after weights and the runtime's reserve is the KV cache pool.
  p.iteration_tokens = c.batch_policy().iteration_tokens(longest_prompt, c.max_batch);
  const Precision act = activation_precision(b.weights, b.gpu);
  MemoryRequest mr;
  mr.weights = b.weights;
  mr.kv_cache = b.kv_cache;
  mr.activations = act;
  mr.batch = 1;
  mr.prefill_tokens = p.iteration_tokens;
  mr.kv_tokens = 0;
  mr.layout = L;
  mr.set_runtime(b.runtime);
  p.memory = memory_per_gpu(m, b.gpu, mr);
  if (b.offload_weights) {
    // Whole layers from the last one backwards go to host memory (two layer-sized GPU buffers) until the
    // rest leaves room for the longest sequence's KV cache.
    MemoryRequest need = mr;
    need.kv_tokens = longest;
    need.batch = 1;
    p.offloaded_layers = offload_weight_layers(m, b.gpu, need, b.gpu_layers);
    mr.offloaded_weight_bytes = need.offloaded_weight_bytes;
    mr.staging_bytes = need.staging_bytes;
    p.memory = memory_per_gpu(m, b.gpu, mr);
  }
  // The host memory of a node serves the GPUs on it (their offloaded weights, then host KV blocks).
  // Unified memory has no other host memory: what is "offloaded" stays in the GPU's own, read in place.
  const HostCopy host = host_copy(b);
  const double host_limit = host.zero_copy ? 0.0 : host_memory_limit(b);
  const double gpus_per_node = std::min(b.node.gpu_count, L.gpus() * replicas);
  if (host.zero_copy) {
    p.memory.weights += p.memory.host_weights;
    p.memory.host_weights = 0;
  }
  if (b.offload_weights && host_limit > 0 && p.memory.host_weights * gpus_per_node > host_limit)
    throw Error(fmt("weight offload needs %s of host memory per node; it has %s ([memory] host_memory_gib)",
                    human_bytes(p.memory.host_weights * gpus_per_node).c_str(), human_bytes(host_limit).c_str()),
                ExitCode::does_not_fit);
  // A speculative drafter's weights sit beside the target's; its KV grows with every sequence's.
  const std::optional<Drafter> drafter = make_drafter(in, b);
  if (drafter) {
    p.memory.weights += drafter->weight_bytes_per_gpu;
    p.drafter = drafter->description;
    p.drafter_weight_bytes = drafter->weight_bytes_per_gpu;
  }
  p.kv_pool_bytes = std::max(0.0, p.memory.free());
  // Each data-parallel attention group keeps the KV cache of its own sequences: the replica's pool is
  // one GPU's free memory per group.
  const double block_bytes = static_cast<double>(c.block_size) *
                             (kv_bytes_per_token_per_gpu(m, b.kv_cache, L) + (drafter ? drafter->kv_bytes_per_token_per_gpu : 0.0));
  p.kv_blocks = static_cast<long long>(std::floor(p.kv_pool_bytes / block_bytes)) * L.attention_dp();
  const long long longest_blocks = (longest + c.block_size - 1) / c.block_size;
  const long long gpu_blocks = p.kv_blocks;
  if (b.offload_kv && p.memory.fits() && !host.zero_copy) {
    // KV blocks beyond the GPUs' pool live in host memory (each GPU's share of what the weights leave).
    if (host_limit <= 0)
      throw Error("KV offload in serving needs to know the host memory: set [memory] host_memory_gib (the node "
                  "file does not say)");
    const double per_gpu = std::max(0.0, host_limit / gpus_per_node - p.memory.host_weights);
    p.host_kv_blocks = static_cast<long long>(std::floor(per_gpu / block_bytes)) * L.attention_dp();
    p.kv_blocks += p.host_kv_blocks;
  }
  p.fits = p.memory.fits() && p.kv_blocks >= longest_blocks;
  if (!p.fits) {
    // When the largest iteration's activations are what crowds out the cache, say how small it must be.
    auto fits_with = [&](long long iteration_tokens) {
      MemoryRequest q = mr;
      q.prefill_tokens = iteration_tokens;
      q.kv_tokens = longest;
      return memory_per_gpu(m, b.gpu, q).fits();
    };
    if (p.iteration_tokens > longest_prompt && fits_with(longest_prompt)) {
      long long lo = longest_prompt, hi = p.iteration_tokens;  // largest iteration that still fits
      while (hi - lo > 1) {
        long long mid = (lo + hi) / 2;
        (fits_with(mid) ? lo : hi) = mid;
      }
      p.suggestions.push_back(c.batch_policy().fit_hint(lo, longest_prompt, c.max_batch, p.memory.activations));
    }
    mr.kv_tokens = longest;
    if (b.gpu_layers >= 0 && p.offloaded_layers < m.num_hidden_layers && !host.zero_copy) {
      MemoryRequest q = mr;  // the most layers that leave room for the longest sequence
      q.offloaded_weight_bytes = q.staging_bytes = 0;
      const int moved = offload_weight_layers(m, b.gpu, q);
      if (memory_per_gpu(m, b.gpu, q).fits())
        p.suggestions.push_back(fmt("[memory] gpu_layers = %d at most: with %d layers on each GPU one %lld-token "
                                    "sequence does not fit beside them", m.num_hidden_layers - moved,
                                    m.num_hidden_layers - p.offloaded_layers, longest));
    }
    for (const auto& s : what_would_fit(m, b.gpu, mr)) p.suggestions.push_back(s);
    if (p.suggestions.empty())
      p.suggestions.push_back(fmt("a GPU with more memory: one %lld-token sequence does not fit beside the weights", longest));
    return pm;
  }
  p.memory.kv_cache = p.kv_pool_bytes;

  const KernelCostModel kernels = model_kernel_costs(b);
  p.calibration = kernels.own_measurements() ? "calibrated profile " + b.gpu.profile_path : kernels.profile().gpu_id;
  p.peaks = utilisation_peaks(b, act, kernels);
  const ForwardConfig fc = forward_config(b, act);
  const CommLinks links = make_comm_links(b.node, b.gpu, L, b.runtime, c.allreduce,
                                           ep_receive_shares(m, L));
  // Serving prices communication on an idle platform. That is exact while a replica's collectives only
  // cross its own GPUs' ports and NICs; say so when replicas would share a per-node NIC or a switch uplink.
  const std::string shared = shared_replica_link(b.node, b.gpu, L.gpus(), replicas);
  if (!shared.empty())
    p.warnings.push_back("the replicas' collectives share " + shared + "; serving runs price communication on an "
                         "idle platform, so contention between replicas is left out (a fixed-batch run simulates "
                         "it for one replica)");
  // What the cost function prices with lives as long as it does (it is copied into the serving run).
  struct Models {
    KernelCostModel kernels;
    ForwardConfig fc, draft_fc;
    CommLinks links, draft_links;
    ModelCard model, draft_model;
    std::unique_ptr<IterationCostModel> iteration, draft;
  };
  auto own = std::make_shared<Models>(Models{kernels, fc, ForwardConfig{}, links, CommLinks{}, m, ModelCard{}, nullptr, nullptr});
  own->iteration = std::make_unique<IterationCostModel>(own->model, own->fc, own->kernels, b.runtime, b.cuda_graphs,
                                                        own->links, L.pp > 1 ? L.micro() : 1);
  // The drafter runs on the same GPUs, priced by the same kernels (a draft model by its own layout's links).
  if (drafter) {
    const PredictInput& d = drafter->input;
    own->draft_fc = forward_config(d, act);
    own->draft_links = make_comm_links(b.node, b.gpu, d.parallel, b.runtime, c.allreduce, ep_receive_shares(d.model, d.parallel));
    own->draft_model = d.model;
    own->draft = std::make_unique<IterationCostModel>(own->draft_model, own->draft_fc, own->kernels, b.runtime,
                                                      b.cuda_graphs, own->draft_links, 1);
  }
  const int spec_k = c.speculation.on() ? c.speculation.tokens : 0;
  // Offloaded layers cross PCIe every iteration, overlapped with the compute (the serving engine moves
  // them as real transfers from the host, so replicas sharing a switch uplink slow each other down).
  // With KV offload the running sequences' cache fills the GPUs first; what overflows is read from host
  // memory over PCIe by every step that attends to it, spread over the attention groups' GPUs.
  // Bytes on the link per byte moved: 1 / the copy's share of the PCIe rate; 0 where nothing is copied.
  const double per_byte = host.zero_copy ? 0.0 : 1.0 / host.efficiency;
  const double weight_stream = p.memory.host_weights * per_byte;
  const double gpu_tokens = static_cast<double>(gpu_blocks * c.block_size);
  const double host_token_bytes =
      p.host_kv_blocks > 0 ? block_bytes / static_cast<double>(c.block_size) / L.attention_dp() * per_byte : 0.0;
  // Prefix-cache hits below the GPU: each GPU reads its share of a hit token's KV over PCIe (all of it
  // where the TP group replicates the cache, as MLA's latent); the host and SSD tiers hold one copy of a
  // token's KV (the model's bytes per token), and an SSD hit comes off the node's disks once.
  const double kv_token_gpu = kv_bytes_per_token_per_gpu(m, b.kv_cache, L) / L.attention_dp();
  const double kv_token_replica = kv_bytes_per_token(m, b.kv_cache);
  // The serving loop around the model: graph buckets, per-step and per-prefill host time.
  pm.cost = [own, &c, graphs = b.cuda_graphs, weight_stream, gpu_tokens, host_token_bytes,
             load_token_bytes = kv_token_gpu * per_byte, kv_token_replica, spec_k](const IterationShape& s) {
    IterationShape padded;
    const ServerStep step = server_step(c, s, graphs, padded);
    IterationCostBreakdown r = own->iteration->evaluate(*step.shape, step.graph_allowed);
    if (own->draft) add_draft_passes(r, *own->draft, *step.shape, spec_k, step.graph_allowed);
    r.after_s = step.after_s;
    r.stream_bytes = weight_stream + (host_token_bytes > 0 ? host_kv_read_bytes(s, gpu_tokens, host_token_bytes) : 0.0);
    r.stream_bytes += static_cast<double>(s.load_tokens_host + s.load_tokens_ssd) * load_token_bytes;
    r.disk_bytes = static_cast<double>(s.load_tokens_ssd) * kv_token_replica;
    return r;
  };
  // The model's work is the iteration's as scheduled (CUDA-graph padding rows are not the model's work).
  pm.work = [own, spec_k](const IterationShape& s) {
    ModelWork w = own->iteration->work(s);
    if (own->draft) add_draft_work(w, *own->draft, s, spec_k);
    return w;
  };
  pm.streams = weight_stream > 0 || host_token_bytes > 0;
  pm.kv_token_gpu = kv_token_gpu;
  pm.kv_token_stored = kv_token_replica;
  pm.host_limit = host_limit;
  return pm;
}

ParallelLayout pool_layout(const ParallelLayout& base, int tp, int ep) {
  ParallelLayout l = base;
  if (tp > 0) l.tp = tp;
  if (ep > 0) l.ep = ep;
  if (tp > 0 && ep <= 0 && base.ep > 1 && l.ep < l.tp) l.ep = l.tp;
  return l;
}

}  // namespace

ServingPrediction predict_serving(const RunInputs& in, const PowerSetup* power) {
  const PredictInput& b = in.base;
  const ServingConfig& c = in.serving;
  const ModelCard& m = b.model;
  validate_input(b);
  ServingPrediction p;
  std::vector<ReplicaPool> pools;
  std::optional<PowerSetup> decode_power;  // [decode_platform]: its GPUs' own
  PoolModel first;
  if (!c.disaggregated()) {
    validate_layout(m, b.parallel, c.replicas, b.node.total_gpus());
    first = plan_pool(in, b, c.replicas, p);
    if (!p.fits) return p;
    ReplicaPool pool;
    pool.replicas = c.replicas;
    pool.gpus_per_replica = b.parallel.gpus();
    pool.kv_blocks = p.kv_blocks;
    pool.cost = first.cost;
    pool.work = first.work;
    pool.streams = first.streams;
    pools.push_back(std::move(pool));
  } else {
    // Two pools on consecutive GPUs: the prefill replicas first, then the decode replicas.
    if (b.parallel.pp > 1)
      throw Error("prefill/decode disaggregation with pipeline_parallel > 1 is not modelled; use tensor and expert parallelism");
    PredictInput pb = b, db = in.decode_base ? *in.decode_base : b;
    pb.parallel = pool_layout(b.parallel, c.prefill_tp, c.prefill_ep);
    db.parallel = pool_layout(b.parallel, c.decode_tp, c.decode_ep);
    if (in.decode_base) {
      // Each pool on its own platform: [platform] prefills, [decode_platform] decodes.
      const int np = c.prefill_replicas * pb.parallel.gpus(), nd = c.decode_replicas * db.parallel.gpus();
      if (np > b.node.total_gpus() || nd > db.node.total_gpus())
        throw Error(fmt("%d prefill replicas x %d GPUs need %d GPUs of [platform] (it has %d); %d decode replicas x %d GPUs "
                        "need %d of [decode_platform] (it has %d)", c.prefill_replicas, pb.parallel.gpus(), np,
                        b.node.total_gpus(), c.decode_replicas, db.parallel.gpus(), nd, db.node.total_gpus()));
    } else {
      const int need = c.prefill_replicas * pb.parallel.gpus() + c.decode_replicas * db.parallel.gpus();
      if (need > b.node.total_gpus())
        throw Error(fmt("%d prefill replicas x %d GPUs + %d decode replicas x %d GPUs need %d GPUs; the platform has %d",
                        c.prefill_replicas, pb.parallel.gpus(), c.decode_replicas, db.parallel.gpus(), need,
                        b.node.total_gpus()));
    }
    validate_layout(m, pb.parallel, 1, pb.node.total_gpus());
    validate_layout(m, db.parallel, 1, db.node.total_gpus());
    p.disaggregated = true;
    p.prefill_layout = pb.parallel;
    p.decode_layout = db.parallel;
    first = plan_pool(in, pb, c.prefill_replicas, p);
    if (!p.fits) return p;
    ServingPrediction dp;
    const PoolModel second = plan_pool(in, db, c.decode_replicas, dp);
    p.decode_memory = dp.memory;
    p.decode_kv_blocks = dp.kv_blocks;
    p.decode_kv_pool_bytes = dp.kv_pool_bytes;
    for (const auto& w : dp.warnings)
      if (std::find(p.warnings.begin(), p.warnings.end(), w) == p.warnings.end()) p.warnings.push_back(w);
    if (!dp.fits) {
      p.fits = false;
      p.suggestions = dp.suggestions;
      p.decode_does_not_fit = true;
      return p;
    }
    ReplicaPool pre, dec;
    pre.role = PoolRole::prefill;
    pre.replicas = c.prefill_replicas;
    pre.gpus_per_replica = pb.parallel.gpus();
    pre.kv_blocks = p.kv_blocks;
    pre.cost = first.cost;
    pre.work = first.work;
    pre.streams = first.streams;
    dec.role = PoolRole::decode;
    dec.replicas = c.decode_replicas;
    dec.gpus_per_replica = db.parallel.gpus();
    dec.kv_blocks = dp.kv_blocks;
    dec.cost = second.cost;
    dec.work = second.work;
    dec.streams = second.streams;
    dec.kv_bytes_per_token_per_gpu = second.kv_token_gpu;
    if (in.decode_base) {
      dec.node = &in.decode_base->node;
      dec.gpu = &in.decode_base->gpu;
      dec.link_Bps = in.decode_link_Bps;
      dec.link_latency_s = in.decode_link_latency_s;
      decode_power = make_power_setup(*in.decode_base, in.options.record_thermal);
      dec.power = decode_power ? &*decode_power : nullptr;
      p.decode_peaks = dp.peaks;
      p.decode_calibration = dp.calibration;
      if (decode_power) {
        p.decode_power_source = decode_power->model.source;
        p.decode_power_limit_w = decode_power->limit_w;
      }
      p.decode_cooling = in.decode_base->env.cooling.name;
    }
    pools.push_back(std::move(pre));
    pools.push_back(std::move(dec));
  }
  // Clocks follow power and temperature when the GPU (or its donor) has load traces.
  ServingOptions opt;
  opt.record_iterations = in.options.record_iterations;
  opt.progress = in.options.progress;
  opt.coalesce = in.options.coalesce;
  opt.event_queue = in.options.event_queue;
  opt.percentiles = in.options.percentiles;
  opt.keep_requests = in.options.keep_requests;
  opt.requests_csv = in.options.requests_csv;
  opt.cxl_host = b.cxl_host;
  opt.power = power;
  if (c.prefix_cache) set_prefix_tiers(b, c, b.parallel, first.kv_token_stored, p.memory.host_weights, first.host_limit, opt);
  if (power) {
    p.power_source = power->model.source;
    p.cooling = b.env.cooling.name;
    p.power_limit_w = power->limit_w;
  }
  p.run = run_serving_pools(b.node, b.gpu, c, *in.requests, pools, opt);
  int replicas = 0;
  for (const ReplicaPool& pool : pools) replicas += pool.replicas;
  p.summary = summarize(p.run, replicas, b.parallel.gpus(), in.host_power_w());
  UtilisationPeaks peaks = p.peaks;
  if (in.decode_base && p.summary.gpu_busy_s > 0) {
    // Two kinds of GPU: the peak each busy GPU-second could have reached, weighed by the pools' busy time.
    const double pre = p.run.pool_gpu_busy_s[0], dec = p.run.pool_gpu_busy_s[1], all = pre + dec;
    peaks.flops_per_s = (pre * p.peaks.flops_per_s + dec * p.decode_peaks.flops_per_s) / all;
    peaks.bytes_per_s = (pre * p.peaks.bytes_per_s + dec * p.decode_peaks.bytes_per_s) / all;
  }
  p.achieved = achieved_rates({p.summary.model_flops, p.summary.model_bytes}, p.summary.gpu_busy_s, 1, peaks.flops_per_s,
                              peaks.bytes_per_s);
  p.prefill_peaks = p.peaks;
  p.peaks = peaks;
  return p;
}

}  // namespace dssim
