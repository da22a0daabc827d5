#pragma once
// `dssim recommend`: the buyer's question as a search. A base scenario gives the model, the traffic, the
// SLOs ([slo]) and the money settings ([cost]); the recommend file lists what may vary (GPU kind, GPUs
// per deployment, tensor parallelism, weight precision, max batch) and the constraints (budget, power).
// This module holds what does not run anything: the file, the candidates, the closed-form pruning,
// the ranking, the launch commands.
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/gpu_card.hpp"
#include "config/model_card.hpp"

namespace dssim {

struct RecommendSpec {
  std::string file, base, description;
  std::vector<std::string> gpus;          // card ids, each in an implied node of `counts` GPUs
  std::vector<int> counts{1, 2, 4, 8};    // GPUs per deployment
  std::vector<std::string> nodes;         // node file ids, each as `node_counts` copies joined by its network
  std::vector<int> node_counts{1};
  std::vector<int> tensor_parallel{1, 2, 4, 8};
  std::vector<int> expert_parallel;       // MoE only; empty: each replica's experts over its TP GPUs
  std::vector<int> pipeline_parallel{1};  // stages per replica (each a range of layers; TP inside a stage)
  std::vector<std::string> weights;       // empty: the base scenario's
  std::vector<int> max_batch;             // empty: the base scenario's
  std::vector<int> max_batched_tokens;    // empty: the base scenario's (chunked prefill size: TPOT against TTFT)
  // The serving stack (each empty: the base scenario's): batch policy, prefix caching, speculative
  // decoding, and prefill/decode disaggregation as a P:D ratio of the replicas ({0, 0}: colocated).
  std::vector<std::string> policies;
  std::vector<int> prefix_cache;          // 0 / 1
  std::vector<std::string> speculative;   // none | mtp | draft (draft: the base's draft model)
  std::vector<std::pair<int, int>> prefill_decode;
  // The decode pool on its own nodes (pools on different hardware): every node platform above then
  // prefills on all its GPUs and decodes on `decode_node_counts` copies of each of these.
  std::vector<std::string> decode_nodes;
  std::vector<int> decode_node_counts{1};
  std::vector<int> decode_tensor_parallel;  // empty: the prefill pool's TP
  std::optional<double> budget_usd;       // purchase of the GPUs
  std::optional<double> max_power_w;      // the deployment's GPUs while busy
  std::string rank_by = "onprem";         // onprem | cloud: which $/M output tokens ranks the candidates
  std::vector<std::string> slo;           // [slo] of the recommend file, as --set assignments over the base's
  std::vector<std::string> sets;          // set = [...]: assignments over the base scenario, before the command line's --set
  int top = 5;
};

RecommendSpec load_recommend(const std::string& path);

// What a node file holds, for the search: its GPU card and how many.
struct NodeInfo {
  std::string gpu;
  int gpus = 0;
};
using NodeLookup = std::function<NodeInfo(const std::string& node_id)>;

struct Candidate {
  std::string gpu, weights;  // weights "" : the base scenario's
  int gpus = 1, tp = 1, max_batch = 0;  // max_batch 0: the base scenario's
  int pp = 1;                           // pipeline stages per replica
  std::string node;                     // "": an implied node of `gpus` x gpu; else `nodes` copies of this node file
  int nodes = 0;
  bool experts_follow_tp = false;       // MoE models: expert parallelism over the same GPUs as TP
  int ep = 0;                           // MoE: an expert-parallel degree of its own (0: as experts_follow_tp says)
  int max_batched_tokens = 0;           // 0: the base scenario's
  std::string tokens_key = "serving.max_batched_tokens";  // the policy's name for it (chunked: token_budget)
  std::string policy;                   // "": the base scenario's
  int prefix_cache = -1;                // -1: the base scenario's; 0 off, 1 on
  std::string speculative;              // "": the base scenario's; none | mtp | draft
  int pd_prefill = 0, pd_decode = 0;    // P:D ratio of the replicas; 0:0 colocated (the base's)
  // The decode pool on its own nodes ([decode_platform]); then every replica above prefills.
  std::string decode_node, decode_gpu;
  int decode_nodes = 0, decode_gpus = 0, decode_tp = 0;
  bool own_decode() const { return !decode_node.empty(); }
  int expert_degree() const { return ep > 0 ? ep : experts_follow_tp ? tp : 1; }
  int decode_expert_degree() const { return experts_follow_tp || ep > 0 ? decode_tp : 1; }
  int gpus_per_replica() const { return pp * std::max(tp, expert_degree()); }
  int decode_gpus_per_replica() const { return std::max(decode_tp, decode_expert_degree()); }
  int replicas() const { return gpus / gpus_per_replica(); }
  bool disaggregated() const { return pd_prefill > 0 || own_decode(); }
  int prefill_replicas() const { return own_decode() ? replicas() : replicas() / (pd_prefill + pd_decode) * pd_prefill; }
  int decode_replicas() const { return own_decode() ? decode_gpus / decode_gpus_per_replica() : replicas() - prefill_replicas(); }
  // Everything but the replica count: layouts whose fewer replicas carry more load each.
  std::string layout_key() const;
  std::vector<std::string> overrides() const;  // --set assignments over the base scenario
  std::string label() const;                   // "4 x h200-sxm, TP 2 x 2 replicas, fp8, max_batch 256"
};

// The product of the search axes where a replica's GPUs (pp x max(tp, ep)) divide the platform's, in a
// stable order. For a MoE model each replica's experts are spread over its TP GPUs (expert_parallel =
// tp) unless [search] expert_parallel gives degrees of their own. Combinations no engine runs are
// left out: iteration sizes, prefix caching, speculation and P/D with a static or adaptive policy, a
// P:D ratio that does not divide the replicas, an EP that is not a multiple of TP, and pools on their
// own hardware with pipeline stages. `policy`: the base's. `node_info` reads [search] node and
// decode_node files (needed only when the spec has them).
std::vector<Candidate> candidates(const RecommendSpec& s, bool moe = false, const std::string& policy = "continuous",
                                  const NodeLookup& node_info = nullptr);

// Why a candidate cannot work, from closed forms alone (no simulation): a TP its heads do not divide,
// an EP its experts do not divide, or weights larger than the GPUs' memory (the decode pool's own GPUs
// too, `decode_gpu`, when it has them). Empty when it may fit.
std::string prune(const Candidate& c, const ModelCard& m, const GpuCard& g, const std::string& base_weights,
                  const GpuCard* decode_gpu = nullptr);

struct Outcome {
  enum class Status { ok, pruned, does_not_fit, error } status = Status::error;
  std::string why;             // pruned, does_not_fit, error: the reason
  bool keeps_up = false, meets_slo = false;
  std::string verdict;         // the run's verdict headline
  double ttft_p50_s = NAN, ttft_p99_s = NAN, tpot_p50_s = NAN, tpot_p99_s = NAN, e2e_p99_s = NAN;
  double throughput_tok_s = NAN, usd_per_m_onprem = NAN, usd_per_m_cloud = NAN, hardware_usd = NAN, power_w = NAN;
  long long iteration_tokens = 0;  // the largest iteration: --max-num-batched-tokens
  bool server_priced = false;      // its hardware includes a server share (a catalogue row or the scenario's)
  std::string hf_repo, weights;    // for the launch commands
  // the activations' precision the run priced (fp16 where a GPU has no bf16 tensor cores, or with fp16
  // weights): the engines' --dtype when it is not the checkpoint's bf16
  std::string activations = "bf16";
  int max_batch = 0;
  std::string speculative;         // the run's: none | mtp | draft
  int speculative_tokens = 0;
  std::string draft_repo;          // draft: the draft model's Hugging Face repository
};

// Within the constraints and meeting every SLO while keeping up.
bool qualifies(const RecommendSpec& s, const Outcome& o);
// Why a simulated candidate does not qualify (the verdict, or the constraint it breaks); "" when it does.
std::string failure(const RecommendSpec& s, const Outcome& o);
// The order of the answer: qualifying candidates by the ranking $/M (unknown last), then GPUs, then index.
std::vector<std::size_t> ranked(const RecommendSpec& s, const std::vector<Outcome>& o);
// Candidates no other beats on both the ranking $/M and p99 TTFT (among those that keep up).
std::vector<std::size_t> pareto(const RecommendSpec& s, const std::vector<Outcome>& o);

// How to run the choice: vLLM's and SGLang's command lines (with prefill/decode disaggregation, one
// line per pool after a comment saying how many instances of it to start).
std::string vllm_command(const Candidate& c, const Outcome& o);
std::string sglang_command(const Candidate& c, const Outcome& o);

}  // namespace dssim
