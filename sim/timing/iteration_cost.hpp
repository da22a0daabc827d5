#pragma once
// The time of one serving iteration (a mix of prefill chunks and decode tokens) in closed form, from
// the same operators and kernel costs as the kernel-level simulation, memoised on the token count.
// The serving engine runs one activity per GPU per iteration with this duration; tests hold it to the
// kernel-level SimGrid result for pure prefill and pure decode passes.
#include <algorithm>
#include <unordered_map>
#include <vector>

#include "config/model_card.hpp"
#include "config/node_spec.hpp"
#include "config/runtime_profile.hpp"
#include "timing/kernel_cost.hpp"
#include "comm/collectives.hpp"
#include "hw/platform.hpp"
#include "model/model_work.hpp"
#include "model/operators.hpp"
#include "parallel/layout.hpp"

namespace dssim {

struct PrefillChunk {
  long long tokens = 0;   // new tokens of this sequence in this iteration
  long long context = 0;  // its KV length after the iteration (earlier chunks + this one)
  bool last = false;      // completes the prompt: the sequence emits its first token
};

struct IterationShape {
  std::vector<PrefillChunk> prefill;
  int decode = 0;                   // sequences decoding
  double decode_context_sum = 0;    // sum of their KV lengths after the step
  long long decode_context_max = 0; // the longest of them
  int decode_tokens = 1;            // positions each decoding sequence runs: 1, or k + 1 verifying k drafts
  // Prefix-cache hits of this iteration's new sequences whose KV comes from host memory or the SSD
  // (serving/prefix_cache): read over PCIe (and from the disk) while the iteration runs.
  long long load_tokens_host = 0, load_tokens_ssd = 0;
};

struct IterationCostBreakdown {
  double gpu_s = 0, host_s = 0, total_s = 0;
  double gpu_compute_s = 0;   // part of gpu_s paced by the SM clock (at the calibration's clock)
  double gpu_issue_s = 0;     // part of gpu_s paced by the SM clock without tensor-core work (at f_max)
  // Bytes moved by memory-paced kernels (KernelCostModel::memory_bytes); negative: not known, the power
  // model then takes memory-paced time at full memory activity.
  double memory_bytes = -1;
  double comm_s = 0;          // part of gpu_s spent in collectives and stage hand-offs (closed forms)
  double first_host_s = 0;    // eager: issue time of the first op (before the GPU can start)
  bool graph = false;         // a CUDA-graph replay: host = one launch before the GPU
  double stream_bytes = 0;    // weight offload: bytes each GPU receives from host memory during the iteration
  double disk_bytes = 0;      // prefix cache: bytes the replica reads from its node's SSDs during the iteration
  double after_s = 0;         // host work after the GPU is done: the serving loop's sync, sampling, setup
  // Wall time of the iteration had its GPU part taken `gpu_seconds` (the power model varies the clock).
  double total_for(double gpu_seconds) const {
    return after_s + (graph ? host_s + gpu_seconds : std::max(host_s, first_host_s + gpu_seconds));
  }
};

// The links a replica's communication rides on, for the collectives' closed forms (sim/comm).
struct CommLinks {
  GroupLink tp, stage, next_stage;  // a TP group, a whole stage (EP all-to-all), stage to next stage
  comm::AllReduceAlgo allreduce = comm::AllReduceAlgo::automatic;
  double step_s = 0;                // software latency per collective step
  double bandwidth_efficiency = 1;  // share of the link rate the payload gets (protocol overhead)
  double a2a_busiest_share = 0;     // share of dispatched tokens the busiest EP rank receives (0: even)
  bool two_batch_overlap = false;   // two micro-batches take turns on the GPU, each communicating under the other
  // What DeepEP's normal kernels cross (node-forwarding all-to-alls): the NIC of a GPU (per_gpu NICs)
  // or of its node, the GPUs' link inside a node, GPUs per node; the SMs of a GPU.
  double nic_Bps = 0, nic_latency_s = 0;
  bool nic_per_gpu = true;
  GroupLink intra;
  int gpus_per_node = 1, sm_count = 0;
};

// The links of a replica's first GPUs (its TP group, its stage, the hand-off to the next stage) and the
// runtime's collective parameters; `ep_shares` from ep_receive_shares (empty without EP).
CommLinks make_comm_links(const NodeSpec& node, const GpuCard& gpu, const ParallelLayout& l, const RuntimeProfile& rt,
                          comm::AllReduceAlgo allreduce, const std::vector<double>& ep_shares);

// When `work` seconds of GPU work started at `start` end, running at `speed` (0..1] of the GPU while
// [from, to) and at full speed otherwise.
double stretched_end(double start, double work, double from, double to, double speed);

class IterationCostModel {
 public:
  // `cfg` carries the layout (TP, EP, data-parallel attention, PP); `micro`: pipeline micro-batches.
  IterationCostModel(const ModelCard& m, const ForwardConfig& cfg, const KernelCostModel& cost, const RuntimeProfile& rt,
                     bool cuda_graphs, const CommLinks& links, int micro = 1);
  // `graph_allowed` false: a decode-only step runs eager (no captured graph of its size).
  IterationCostBreakdown evaluate(const IterationShape& s, bool graph_allowed = true);
  double time(const IterationShape& s) { return evaluate(s).total_s; }
  // The model's own FLOPs and bytes in an iteration of this shape, whatever the layout: the numerators
  // of MFU and MBU (model/model_work.hpp), from the same memoised operator lists.
  ModelWork work(const IterationShape& s);

  // One communication op's time on the replica's links, as every iteration prices it.
  double comm_time(const Op& op) const;

 private:
  struct GpuTime {
    double total = 0, compute = 0, comm = 0, bytes = 0;  // bytes: memory-paced (memory_bytes)
    double issue = 0;                                    // clock-paced, not tensor-core work
    // two-batch overlap only: GPU time before each communication op, and that op's time (the last
    // segment has no communication)
    std::vector<double> seg_gpu, seg_comm;
    std::vector<char> seg_hold;  // that communication holds SMs (DeepEP's normal kernels)
  };
  IterationCostBreakdown evaluate_stage(const IterationShape& s, bool graph_allowed);
  GpuTime token_ops_gpu(long long tokens, bool prefill);  // everything but attention and the LM head
  GpuTime lm_head_gpu(long long rows);
  GpuTime token_ops_lookup(long long tokens, bool prefill);  // token_ops_gpu past its last-answer cache
  GpuTime lm_head_lookup(long long rows);
  GpuTime attention_gpu(bool prefill, int batch, double q_len, double kv_len);

  const ModelCard& m_;
  ForwardConfig cfg_;
  const KernelCostModel& cost_;
  bool cuda_graphs_;
  CommLinks links_;
  int micro_ = 1, adp_ = 1;
  double graph_launch_s_ = 0;
  // per forward pass, from its operator list
  double host_eager_s_ = 0, first_host_s_ = 0;
  int attention_layers_ = 0;
  int comm_ops_ = 0;  // collectives and hand-offs per forward pass of the stage
  std::vector<int> attn_segments_;  // two-batch overlap: the segment each attention kernel falls in
  double overlap_gpu_ = 0;          // set by evaluate_stage: the two-batch schedule's GPU time
  // DeepEP's normal kernels: a token copy's network and in-node loads on the busiest GPU, as copies
  // per token (parallel/ep_routing), and the share of the SMs they leave to kernels beside them
  double fwd_nic_copies_ = 0, fwd_intra_copies_ = 0, fwd_alpha_s_ = 0, fwd_sm_left_ = 1;
  int topk_ = 1;
  double act_bytes_ = 2;
  std::unordered_map<long long, GpuTime> token_memo_[2], head_memo_;
  // The model's work (one GPU holding it all): everything but attention per token count, the LM head per
  // row count, the attention templates; memoised and interpolated as the timings are.
  ModelWork token_work(long long tokens, bool prefill);
  ModelWork head_work(long long rows);
  ForwardConfig work_cfg_;
  int work_attention_layers_ = 0;
  Op work_attn_prefill_, work_attn_decode_;
  std::unordered_map<long long, ModelWork> token_work_memo_[2], head_work_memo_;
  long long last_work_tokens_[2] = {-1, -1}, last_work_rows_ = -1;
  ModelWork last_token_work_[2], last_head_work_;
  // The last answer of each, in front of the maps: a stretch of decode steps asks the same again.
  long long last_tokens_[2] = {-1, -1}, last_rows_ = -1;
  GpuTime last_token_time_[2], last_head_time_;
  Op attn_prefill_, attn_decode_;  // templates: only the shape fields change per call
  Op mla_expand_;                  // MLA prefill's kv_b_proj (kind gemm when the model has MLA)
  double mla_expand_gpu(double rows) const;
};

}  // namespace dssim
