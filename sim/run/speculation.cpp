#include "run/speculation.hpp"

#include "memory/memory_model.hpp"
#include "model/params.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::optional<Drafter> make_drafter(const RunInputs& in, const PredictInput& b) {
  const Speculation& sp = in.serving.speculation;
  if (!sp.on()) return std::nullopt;
  const ParallelLayout& L = b.parallel;
  if (L.pp > 1)
    throw Error("speculative decoding with pipeline parallelism is not modelled (the drafter would run on the last "
                "stage only); use tensor or expert parallelism");
  Drafter d;
  d.input = b;
  if (sp.method == Speculation::Method::mtp) {
    // V3's MTP module: a transformer block like the model's last (MoE) one, a projection of the
    // concatenated hidden state and embedding (2d x d), its norms; the embedding and LM head are shared.
    const ModelCard& m = b.model;
    ModelCard mtp = m;
    mtp.num_hidden_layers = m.num_nextn_predict_layers;
    if (mtp.moe) mtp.moe->first_k_dense_replace = 0;
    d.input.model = mtp;
    const double block = layer_weight_bytes_per_gpu(m, b.weights, L, m.num_hidden_layers - 1);
    const double proj = 2.0 * static_cast<double>(m.hidden_size) * static_cast<double>(m.hidden_size) *
                        bytes_per_element(b.weights) / L.tp;
    d.weight_bytes_per_gpu = (block + proj) * m.num_nextn_predict_layers;
    d.kv_bytes_per_token_per_gpu =
        kv_bytes_per_token_per_gpu(m, b.kv_cache, L) / m.num_hidden_layers * m.num_nextn_predict_layers;
    d.description = fmt("MTP module (%d block%s)", m.num_nextn_predict_layers, m.num_nextn_predict_layers == 1 ? "" : "s");
    return d;
  }
  // A draft model: dense or MoE, on the target's tensor-parallel group when its heads divide, else on
  // one GPU; no expert or data parallelism of its own.
  const ModelCard& dm = *in.draft_model;
  ParallelLayout dl;
  dl.tp = tp_compatible(dm, L.tp) ? L.tp : 1;
  d.input.model = dm;
  d.input.weights = in.draft_weights;
  d.input.parallel = dl;
  d.input.weight_only = false;
  d.weight_bytes_per_gpu = weight_bytes_per_gpu(dm, in.draft_weights, dl);
  d.kv_bytes_per_token_per_gpu = kv_bytes_per_token_per_gpu(dm, b.kv_cache, dl);
  d.description = fmt("draft %s (%s%s)", dm.id.c_str(), to_string(in.draft_weights).c_str(),
                      dl.tp > 1 ? fmt(", TP %d", dl.tp).c_str() : "");
  return d;
}

namespace {
// The drafter's passes around a verify step of shape `s`: one over the same tokens (the first draft of
// every sequence), then k - 1 single-token steps of every sequence that decodes next.
struct DraftPasses {
  IterationShape first, next;
  int next_count = 0;
};
DraftPasses draft_passes(const IterationShape& s, int k) {
  DraftPasses d;
  // Every sequence that decodes next step needs drafts: those decoding now and those whose prompt ends now.
  int rows = s.decode;
  for (const PrefillChunk& c : s.prefill) rows += c.last ? 1 : 0;
  d.first.prefill = s.prefill;
  d.first.decode = s.decode;
  d.first.decode_context_sum = s.decode_context_sum;
  d.first.decode_context_max = s.decode_context_max;
  if (rows > 0 && k > 1) {
    d.next.decode = rows;
    d.next.decode_context_sum = s.decode > 0 ? s.decode_context_sum / s.decode * rows : 0.0;
    for (const PrefillChunk& c : s.prefill)
      if (c.last && s.decode == 0) d.next.decode_context_sum += static_cast<double>(c.context);
    d.next.decode_context_max = s.decode_context_max;
    d.next_count = k - 1;
  }
  return d;
}
}  // namespace

void add_draft_passes(IterationCostBreakdown& r, IterationCostModel& drafter, const IterationShape& s, int k,
                      bool graph_allowed) {
  auto add = [&r](const IterationCostBreakdown& x) {
    r.gpu_s += x.gpu_s;
    r.gpu_compute_s += x.gpu_compute_s;
    r.gpu_issue_s += x.gpu_issue_s;
    r.memory_bytes = r.memory_bytes < 0 || x.memory_bytes < 0 ? -1 : r.memory_bytes + x.memory_bytes;
    r.comm_s += x.comm_s;
    r.host_s += x.host_s;
  };
  const DraftPasses d = draft_passes(s, k);
  add(drafter.evaluate(d.first, graph_allowed));
  if (d.next_count > 0) {
    const IterationCostBreakdown step = drafter.evaluate(d.next, graph_allowed);
    for (int i = 0; i < d.next_count; ++i) add(step);
  }
  r.total_s = r.total_for(r.gpu_s);
}

void add_draft_work(ModelWork& w, IterationCostModel& drafter, const IterationShape& s, int k) {
  const DraftPasses d = draft_passes(s, k);
  const ModelWork a = drafter.work(d.first);
  w.flops += a.flops;
  w.bytes += a.bytes;
  if (d.next_count > 0) {
    const ModelWork b = drafter.work(d.next);
    w.flops += b.flops * d.next_count;
    w.bytes += b.bytes * d.next_count;
  }
}

}  // namespace dssim
