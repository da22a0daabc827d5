#include "timing/iteration_cost.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "comm/collectives.hpp"
#include "model/params.hpp"
#include "parallel/ep_routing.hpp"
#include "util/error.hpp"

namespace dssim {

CommLinks make_comm_links(const NodeSpec& node, const GpuCard& gpu, const ParallelLayout& l, const RuntimeProfile& rt,
                          comm::AllReduceAlgo allreduce, const std::vector<double>& ep_shares) {
  auto first = [](int n) {
    std::vector<int> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), 0);
    return v;
  };
  CommLinks links;
  links.tp = group_link(node, gpu, first(l.tp));
  links.stage = group_link(node, gpu, first(l.stage_width()));
  if (l.pp > 1) links.next_stage = group_link(node, gpu, {0, l.stage_width()});
  links.allreduce = allreduce;
  links.step_s = rt.collective_step_s;
  links.bandwidth_efficiency = rt.collective_bandwidth_efficiency;
  links.two_batch_overlap = l.two_batch_overlap;
  if (!ep_shares.empty()) links.a2a_busiest_share = *std::max_element(ep_shares.begin(), ep_shares.end());
  links.nic_Bps = node.nic_Bps;
  links.nic_latency_s = node.nic_latency_s;
  links.nic_per_gpu = node.nic_per_gpu();
  links.gpus_per_node = node.gpu_count;
  if (node.gpu_count > 1) links.intra = group_link(node, gpu, {0, 1});
  links.sm_count = gpu.sm_count;
  return links;
}

IterationCostModel::IterationCostModel(const ModelCard& m, const ForwardConfig& cfg, const KernelCostModel& cost,
                                       const RuntimeProfile& rt, bool cuda_graphs, const CommLinks& links, int micro)
    : m_(m), cfg_(cfg), cost_(cost), cuda_graphs_(cuda_graphs), links_(links) {
  graph_launch_s_ = rt.graph_launch_s / rt.host_speed_scale;
  // The cost model evaluates one rank: the busiest attention group's share of the tokens, the
  // heaviest pipeline stage plus the LM head.
  adp_ = std::max(1, cfg_.attention_groups());
  cfg_.batch_per_attention_group = true;
  if (cfg_.layout.pp > 1) {  // the stage with the most work per token (V3: the MoE-only ones)
    double worst = -1;
    for (int st = 0; st < cfg_.layout.pp; ++st) {
      ForwardConfig c = cfg_;
      c.stage = st;
      double t = 0;
      for (const Op& op : build_forward(m, c, ForwardShape{true, 1, 512, 512})) t += cost.gpu_time(op);
      if (t > worst) {
        worst = t;
        cfg_.stage = st;
      }
    }
  }
  micro_ = std::max(1, micro);
  act_bytes_ = bytes_per_element(cfg.activations);
  const ParallelLayout& L = cfg_.layout;
  if (L.deepep && m.moe && L.ep > 1) {
    // Rank 0's loads under DeepEP's normal kernels (every rank alike but for the router's skew): out of
    // its NIC one copy per other node its tokens reach; through its in-node port one copy per rank of
    // its node its tokens reach, for its own tokens and for each other node's sender it relays for.
    const int R = std::min(std::max(1, links.gpus_per_node), L.ep);
    const int nodes = (L.ep + R - 1) / R;
    const EpTouch t = ep_touch(*m.moe, L.ep, R);
    const double hot = std::max(1.0, links.a2a_busiest_share * L.ep);
    for (std::size_t n = 1; n < t.node.size(); ++n) fwd_nic_copies_ += t.node[n];
    if (!links.nic_per_gpu) fwd_nic_copies_ *= R;
    for (int b = 1; b < R; ++b) fwd_intra_copies_ += t.rank[static_cast<std::size_t>(b)];
    fwd_intra_copies_ *= nodes * hot;
    fwd_nic_copies_ *= hot;
    fwd_alpha_s_ = links.step_s + (nodes > 1 ? 2 * links.nic_latency_s : links.intra.latency_s);
    if (nodes > 1 && links.nic_Bps <= 0)
      throw Error("internal: DeepEP across nodes without a network", ExitCode::internal);
    topk_ = m.moe->num_experts_per_tok;
    if (links.sm_count > L.deepep_sms) fwd_sm_left_ = static_cast<double>(links.sm_count - L.deepep_sms) / links.sm_count;
  }
  // Host cost, attention geometry and all-reduce count read off one prefill and one decode pass.
  auto pre = build_forward(m, cfg_, ForwardShape{true, 1, 2, 2});
  auto dec = build_forward(m, cfg_, ForwardShape{false, 1, 1, 2});
  for (const Op& op : pre) {
    host_eager_s_ += cost.host_time(op, rt);
    if (is_communication(op.kind)) ++comm_ops_;
    if (op.kind == OpKind::attention) {
      ++attention_layers_;
      attn_prefill_ = op;  // the templates keep their geometry and K/V bytes per position
    }
    if (op.name == "kv_b_proj") mla_expand_ = op;
  }
  first_host_s_ = cost.host_time(pre.front(), rt);
  for (const Op& op : dec)
    if (op.kind == OpKind::attention) attn_decode_ = op;
  work_cfg_ = cfg;
  work_cfg_.layout = ParallelLayout{};
  work_cfg_.stage = -1;
  for (const Op& op : build_forward(m, work_cfg_, ForwardShape{true, 1, 2, 2}))
    if (op.kind == OpKind::attention) {
      ++work_attention_layers_;
      work_attn_prefill_ = op;
    }
  for (const Op& op : build_forward(m, work_cfg_, ForwardShape{false, 1, 1, 2}))
    if (op.kind == OpKind::attention) work_attn_decode_ = op;
}

namespace {
// Above kExact tokens every kernel's time (and work) is (piecewise) linear in the token count: both are
// interpolated on a kStep-token grid, so a trace with thousands of distinct prompt lengths builds a
// few hundred passes.
constexpr long long kExact = 512, kStep = 64;

// The rows an iteration runs through the model: its prefill chunks' tokens, k + 1 positions per
// decoding sequence (a verify step's drafts), and a logit row per decode position and finished prompt.
struct IterationTokens {
  long long prefill = 0, decode_rows = 0, logits = 0;
  long long tokens() const { return prefill + decode_rows; }
};
IterationTokens count_tokens(const IterationShape& s) {
  IterationTokens n;
  n.decode_rows = static_cast<long long>(s.decode) * s.decode_tokens;
  n.logits = n.decode_rows;
  for (const auto& c : s.prefill) {
    n.prefill += c.tokens;
    if (c.last) ++n.logits;
  }
  return n;
}
}  // namespace

ModelWork IterationCostModel::token_work(long long tokens, bool prefill) {
  const int p = prefill ? 1 : 0;
  if (tokens == last_work_tokens_[p]) return last_token_work_[p];
  ModelWork w;
  if (tokens > kExact && tokens % kStep != 0) {  // the timings' grid
    const long long lo = tokens / kStep * kStep;
    const double f = static_cast<double>(tokens - lo) / static_cast<double>(kStep);
    const ModelWork a = token_work(lo, prefill), b = token_work(lo + kStep, prefill);
    w = {(1 - f) * a.flops + f * b.flops, (1 - f) * a.bytes + f * b.bytes};
  } else if (auto it = token_work_memo_[p].find(tokens); it != token_work_memo_[p].end()) {
    w = it->second;
  } else {
    for (const Op& op : build_forward(m_, work_cfg_, ForwardShape{prefill, 1, tokens, tokens}))
      if (is_model_work(op) && op.kind != OpKind::attention && op.name != "lm_head" && op.name != "final_norm") {
        w.flops += op.flops;
        w.bytes += op.bytes;
      }
    token_work_memo_[p].emplace(tokens, w);
  }
  last_work_tokens_[p] = tokens;
  last_token_work_[p] = w;
  return w;
}

ModelWork IterationCostModel::head_work(long long rows) {
  if (rows == last_work_rows_) return last_head_work_;
  ModelWork w;
  if (auto it = head_work_memo_.find(rows); it != head_work_memo_.end()) {
    w = it->second;
  } else {
    for (const Op& op : build_forward(m_, work_cfg_, ForwardShape{false, static_cast<int>(rows), 1, 1}))
      if (op.name == "lm_head" || op.name == "final_norm") {
        w.flops += op.flops;
        w.bytes += op.bytes;
      }
    head_work_memo_.emplace(rows, w);
  }
  last_work_rows_ = rows;
  last_head_work_ = w;
  return w;
}

ModelWork IterationCostModel::work(const IterationShape& s) {
  const IterationTokens n = count_tokens(s);
  ModelWork w;
  if (n.tokens() == 0) return w;
  w = token_work(n.tokens(), n.prefill > 0);
  if (n.logits > 0) {
    const ModelWork h = head_work(n.logits);
    w.flops += h.flops;
    w.bytes += h.bytes;
  }
  const double layers = work_attention_layers_;
  for (const auto& c : s.prefill) {
    set_attention_shape(work_attn_prefill_, 1, static_cast<double>(c.tokens), static_cast<double>(c.context), act_bytes_);
    w.flops += work_attn_prefill_.flops * layers;
    w.bytes += work_attn_prefill_.bytes * layers;
  }
  if (s.decode > 0) {
    set_attention_shape(work_attn_decode_, s.decode, static_cast<double>(s.decode_tokens), s.decode_context_sum / s.decode,
                        act_bytes_);
    w.flops += work_attn_decode_.flops * layers;
    w.bytes += work_attn_decode_.bytes * layers;
  }
  return w;
}

double IterationCostModel::mla_expand_gpu(double rows) const {
  // MLA's naive prefill expands the latent of every attended position: earlier chunks' too
  if (mla_expand_.kind != OpKind::gemm || rows <= 0) return 0.0;
  const Op& g = mla_expand_;
  const double concat = 2 * rows * attn_prefill_.heads * attn_prefill_.qk_dim * act_bytes_;
  return cost_.gemm_time(rows, g.n, g.k, 1, g.weight, g.act, g.weight_only) + cost_.elementwise_time(concat);
}

IterationCostModel::GpuTime IterationCostModel::token_ops_gpu(long long tokens, bool prefill) {
  const int p = prefill ? 1 : 0;
  if (tokens != last_tokens_[p]) {
    last_token_time_[p] = token_ops_lookup(tokens, prefill);
    last_tokens_[p] = tokens;
  }
  return last_token_time_[p];
}

IterationCostModel::GpuTime IterationCostModel::token_ops_lookup(long long tokens, bool prefill) {
  if (tokens > kExact && tokens % kStep != 0) {
    const long long lo = tokens / kStep * kStep, hi = lo + kStep;
    const double w = static_cast<double>(tokens - lo) / static_cast<double>(kStep);
    const GpuTime a = token_ops_lookup(lo, prefill), b = token_ops_lookup(hi, prefill);
    GpuTime t{(1 - w) * a.total + w * b.total, (1 - w) * a.compute + w * b.compute, (1 - w) * a.comm + w * b.comm,
              (1 - w) * a.bytes + w * b.bytes, (1 - w) * a.issue + w * b.issue, {}, {}, {}};
    for (std::size_t i = 0; i < a.seg_gpu.size() && i < b.seg_gpu.size(); ++i) {
      t.seg_gpu.push_back((1 - w) * a.seg_gpu[i] + w * b.seg_gpu[i]);
      t.seg_comm.push_back((1 - w) * a.seg_comm[i] + w * b.seg_comm[i]);
      t.seg_hold.push_back(i < a.seg_hold.size() ? a.seg_hold[i] : 0);
    }
    return t;
  }
  auto& memo = token_memo_[prefill ? 1 : 0];
  auto it = memo.find(tokens);
  if (it != memo.end()) return it->second;
  GpuTime t;
  const bool segments = links_.two_batch_overlap;
  const bool record_attention = segments && attn_segments_.empty();
  double seg = 0;
  for (const Op& op : build_forward(m_, cfg_, ForwardShape{prefill, 1, tokens, tokens})) {
    if (record_attention && op.kind == OpKind::attention) attn_segments_.push_back(static_cast<int>(t.seg_gpu.size()));
    if (op.kind != OpKind::attention && op.name != "lm_head" && op.name != "final_norm") {
      const KernelCostModel::Costs k = cost_.costs(op);
      const double g = k.gpu, c = comm_time(op);
      t.total += g;
      t.compute += k.compute;
      t.issue += k.issue;
      t.bytes += k.memory_bytes;
      t.comm += c;
      seg += g;
      if (segments && c > 0) {
        t.seg_gpu.push_back(seg);
        t.seg_comm.push_back(c);
        t.seg_hold.push_back(op.node_forward ? 1 : 0);
        seg = 0;
      }
    }
  }
  if (segments) {
    t.seg_gpu.push_back(seg);
    t.seg_comm.push_back(0);
    t.seg_hold.push_back(0);
  }
  memo.emplace(tokens, t);
  return t;
}

IterationCostModel::GpuTime IterationCostModel::lm_head_gpu(long long rows) {
  if (rows == last_rows_) return last_head_time_;
  last_head_time_ = lm_head_lookup(rows);
  last_rows_ = rows;
  return last_head_time_;
}

IterationCostModel::GpuTime IterationCostModel::lm_head_lookup(long long rows) {
  auto it = head_memo_.find(rows);
  if (it != head_memo_.end()) return it->second;
  GpuTime t;
  for (const Op& op : build_forward(m_, cfg_, ForwardShape{false, static_cast<int>(rows), 1, 1}))
    if (op.name == "lm_head" || op.name == "final_norm") {
      const KernelCostModel::Costs k = cost_.costs(op);
      t.total += k.gpu;
      t.compute += k.compute;
      t.bytes += k.memory_bytes;
    }
  head_memo_.emplace(rows, t);
  return t;
}

IterationCostModel::GpuTime IterationCostModel::attention_gpu(bool prefill, int batch, double q_len, double kv_len) {
  Op& op = prefill ? attn_prefill_ : attn_decode_;
  set_attention_shape(op, batch, q_len, kv_len, act_bytes_);
  GpuTime t;
  const KernelCostModel::Costs k = cost_.attention_costs(op, t.total);
  t.compute = k.compute;
  t.bytes = k.memory_bytes;
  return t;
}

double IterationCostModel::comm_time(const Op& op) const {
  const comm::AllReduceAlgo algo = links_.allreduce;
  auto alpha = [this](const GroupLink& g) { return g.latency_s + links_.step_s; };
  const int tp = cfg_.layout.tp, width = cfg_.layout.stage_width();
  const double wire = op.bytes / links_.bandwidth_efficiency;
  switch (op.kind) {
    case OpKind::allreduce: return comm::allreduce_time(algo, tp, wire, links_.tp.Bps, alpha(links_.tp));
    case OpKind::allgather: return comm::all_gather_time(tp, wire, links_.tp.Bps, alpha(links_.tp));
    case OpKind::alltoall: {
      if (op.node_forward) {  // DeepEP's normal kernels: the busier of the NIC and the in-node port
        const double copy = wire / topk_;
        const double nic = fwd_nic_copies_ > 0 ? copy * fwd_nic_copies_ / links_.nic_Bps : 0.0;
        const double intra = fwd_intra_copies_ > 0 ? copy * fwd_intra_copies_ / links_.intra.Bps : 0.0;
        return fwd_alpha_s_ + std::max(nic, intra);
      }
      const double share = std::max(links_.a2a_busiest_share, 1.0 / width);
      return comm::all_to_all_time(width, wire * share, links_.stage.Bps, alpha(links_.stage));
    }
    case OpKind::p2p: return comm::p2p_time(wire, links_.next_stage.Bps, alpha(links_.next_stage));
    default: return 0.0;
  }
}

double stretched_end(double start, double work, double from, double to, double speed) {
  double t = start;
  if (t < from) {  // at full speed until the other lane's kernels take their SMs
    const double d = std::min(work, from - t);
    t += d;
    work -= d;
  }
  if (work > 0 && t < to && speed < 1) {
    const double d = std::min(work / speed, to - t);
    t += d;
    work -= d * speed;
  }
  return t + std::max(0.0, work);
}

IterationCostBreakdown IterationCostModel::evaluate(const IterationShape& s, bool graph_allowed) {
  if (adp_ == 1 && micro_ == 1 && !links_.two_batch_overlap) return evaluate_stage(s, graph_allowed);
  // The busiest rank's share: sequences spread over the data-parallel attention groups, and the batch
  // over the pipeline's micro-batches; a pipelined iteration lasts max(micro-batches, stages) stage
  // times (full pipeline: every stage busy; fewer micro-batches than stages: each still crosses all).
  const int split = adp_ * micro_;
  IterationShape part;
  if (split > 1) {
    for (std::size_t i = 0; i < s.prefill.size(); i += static_cast<std::size_t>(split)) part.prefill.push_back(s.prefill[i]);
    if (part.prefill.empty() && !s.prefill.empty()) part.prefill.push_back(s.prefill.front());
    part.decode = (s.decode + split - 1) / split;
    part.decode_tokens = s.decode_tokens;
    part.decode_context_sum = s.decode > 0 ? s.decode_context_sum / s.decode * part.decode : 0.0;
  } else {
    part = s;
  }
  if (links_.two_batch_overlap) {
    // Two halves take turns on the GPU, each communicating while the other computes.
    IterationShape half;
    if (part.prefill.size() == 1) {
      PrefillChunk c = part.prefill.front();
      c.tokens = (c.tokens + 1) / 2;
      half.prefill.push_back(c);
    } else {
      for (std::size_t i = 0; i < part.prefill.size(); i += 2) half.prefill.push_back(part.prefill[i]);
    }
    half.decode = (part.decode + 1) / 2;
    half.decode_tokens = part.decode_tokens;
    half.decode_context_sum = part.decode > 0 ? part.decode_context_sum / part.decode * half.decode : 0.0;
    IterationCostBreakdown r = evaluate_stage(half, graph_allowed);
    const double gpu = overlap_gpu_;
    r.gpu_compute_s *= 2;
    r.gpu_issue_s *= 2;
    r.memory_bytes *= 2;
    r.host_s *= 2;
    r.comm_s *= 2;
    r.gpu_s = gpu;
    r.total_s = r.total_for(gpu);
    return r;
  }
  IterationCostBreakdown r = evaluate_stage(part, graph_allowed);
  const double rounds = std::max(micro_, std::max(1, cfg_.layout.pp));
  if (cfg_.layout.pp > 1 || micro_ > 1) {
    r.gpu_s *= rounds;
    r.gpu_compute_s *= rounds;
    r.gpu_issue_s *= rounds;
    r.memory_bytes *= rounds;
    r.host_s *= rounds;
    r.comm_s *= rounds;
    r.total_s = r.total_for(r.gpu_s);
  }
  return r;
}

IterationCostBreakdown IterationCostModel::evaluate_stage(const IterationShape& s, bool graph_allowed) {
  IterationCostBreakdown r;
  const IterationTokens n = count_tokens(s);
  if (n.tokens() == 0) return r;
  const bool has_prefill = n.prefill > 0;
  GpuTime t = token_ops_gpu(n.tokens(), has_prefill);
  if (n.logits > 0) {
    const GpuTime h = lm_head_gpu(n.logits);
    t.total += h.total;
    t.compute += h.compute;
    t.bytes += h.bytes;
  }
  GpuTime attn;
  auto add = [&attn](GpuTime x) {
    attn.total += x.total;
    attn.compute += x.compute;
    attn.bytes += x.bytes;
  };
  for (const auto& c : s.prefill) {
    add(attention_gpu(true, 1, static_cast<double>(c.tokens), static_cast<double>(c.context)));
    attn.total += mla_expand_gpu(static_cast<double>(c.context - c.tokens));
  }
  if (s.decode > 0) add(attention_gpu(false, s.decode, static_cast<double>(s.decode_tokens), s.decode_context_sum / s.decode));
  // Communication does not overlap the kernels around it (each waits for the other's result).
  double gpu = t.total + attn.total * attention_layers_ + t.comm;
  r.gpu_compute_s = t.compute + attn.compute * attention_layers_;
  r.gpu_issue_s = t.issue;
  r.memory_bytes = t.bytes + attn.bytes * attention_layers_;
  // Decode-only steps replay a captured graph; steps with prefill run eager. The host and the GPU
  // overlap: the slower side sets the pace, plus the other side's first or last kernel.
  const bool graph = cuda_graphs_ && !has_prefill && graph_allowed;
  r.gpu_s = gpu;
  r.comm_s = t.comm;
  if (links_.two_batch_overlap && !t.seg_gpu.empty()) {
    // Each lane's attention runs inside the segment its kernel falls in, the LM head in the last one.
    std::vector<double> g = t.seg_gpu;
    for (int i : attn_segments_)
      if (i >= 0 && static_cast<std::size_t>(i) < g.size()) g[static_cast<std::size_t>(i)] += attn.total;
    g.back() += t.total - std::accumulate(t.seg_gpu.begin(), t.seg_gpu.end(), 0.0);  // LM head and final norm
    // The two lanes take turns on the GPU (A's segment, then B's) and on the links; each lane's next
    // segment waits for its own communication. Schedule them in that order (a two-machine flow shop).
    // A lane's kernels that run while the other lane's DeepEP normal kernels hold SMs go at the speed
    // the rest of the SMs give (fwd_sm_left_) for as long as those kernels run.
    double gpu_free = 0, link_free = 0, ready[2] = {0, 0};
    double held_from[2] = {0, 0}, held_to[2] = {0, 0};  // each lane's last SM-holding communication
    for (std::size_t i = 0; i < g.size(); ++i)
      for (int l = 0; l < 2; ++l) {
        double& lane = ready[l];
        const double start = std::max(gpu_free, lane);
        lane = gpu_free = stretched_end(start, g[i], held_from[1 - l], held_to[1 - l], fwd_sm_left_);
        if (t.seg_comm[i] > 0) {
          const double from = std::max(link_free, lane);
          lane = link_free = from + t.seg_comm[i];
          if (i < t.seg_hold.size() && t.seg_hold[i]) held_from[l] = from, held_to[l] = lane;
        }
      }
    overlap_gpu_ = std::max(ready[0], ready[1]);
  }
  r.graph = graph;
  r.first_host_s = first_host_s_;
  r.host_s = graph ? graph_launch_s_ : host_eager_s_;
  r.total_s = r.total_for(gpu);
  return r;
}

}  // namespace dssim
