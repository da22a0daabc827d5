#include "serving/serving_config.hpp"

#include <algorithm>

#include "config/keys.hpp"
#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

using T = Key::Type;
const Key& kPolicy = declare_key({"serving", "policy", T::text, 0, 0, {}, "", "continuous", "the batch policy: static, adaptive, continuous or chunked (dssim help policies)", ""});
const Key& kBlock = declare_key({"serving", "block_size", T::integer, 1, 1 << 20, {}, "tokens", "16", "KV cache block", ""});
const Key& kReplicas = declare_key({"serving", "replicas", T::integer, 1, 1 << 20, {}, "", "1", "whole copies of the model, a router in front", ""});
const Key& kDataParallel = declare_key({"serving", "data_parallel", T::integer, 1, 1 << 20, {}, "", "1", "the same as replicas (SGLang's name)", ""});
const Key& kAllreduce = declare_key({"serving", "allreduce", T::choice, 0, 0, {"ring", "tree", "auto"}, "", "auto", "all-reduce algorithm (auto: the faster closed form, as NCCL's tuner)", ""});
const Key& kRouter = declare_key({"serving", "router", T::text, 0, 0, {}, "", "round_robin", "round_robin, least_outstanding, or prefix_aware (the replica holding the longest cached prefix, unless it is router_balance_slack requests busier than the least loaded)", ""});
const Key& kBalanceSlack = declare_key({"serving", "router_balance_slack", T::integer, 0, 1 << 20, {}, "requests", "32", "how many more outstanding requests than the least loaded replica prefix_aware accepts for a cache hit", "router = prefix_aware"});
const Key& kSloTtft = declare_key({"serving", "slo_ttft_s", T::number, 0, 1e9, {}, "s", "none", "time-to-first-token target for goodput", ""});
const Key& kSloTpot = declare_key({"serving", "slo_tpot_s", T::number, 0, 1e9, {}, "s", "none", "time-per-output-token target for goodput", ""});
const Key& kGraphSizes = declare_key({"serving", "graph_batch_sizes", T::integer_list, 1, 1 << 20, {}, "sequences", "every size", "batch sizes with a captured CUDA graph: a decode step runs the smallest that holds it, padded; above the largest, eager", ""});
const Key& kGraphBucket = declare_key({"serving", "graph_context_bucket", T::integer, 0, 1 << 30, {}, "tokens", "0 (exact)", "captured decode graphs attend to the longest context rounded up to a multiple of this", ""});
const Key& kStepOverhead = declare_key({"serving", "step_overhead_us", T::number, 0, 1e7, {}, "us", "0", "host time per iteration after the GPU finishes: sync, sampling, the serving loop", ""});
const Key& kPrefillOverhead = declare_key({"serving", "prefill_overhead_ms", T::number, 0, 1e6, {}, "ms", "0", "host time per iteration with a prefill beyond its operations (allocator growth, new shapes)", ""});

const Key& kPrefixCache = declare_key({"serving", "prefix_cache", T::boolean, 0, 0, {}, "", "false", "reuse the KV of shared prompt prefixes (vLLM enable_prefix_caching); needs a trace with prefix hashes", "policy = continuous or chunked"});
const Key& kPrefixHost = declare_key({"serving", "prefix_cache_host_gib", T::number, 0, 1 << 24, {}, "GiB", "0", "host-memory tier of the prefix cache, per replica (LMCache, Mooncake store); read back over PCIe", "prefix_cache = true"});
const Key& kPrefixSsd = declare_key({"serving", "prefix_cache_ssd_gib", T::number, 0, 1 << 30, {}, "GiB", "0", "SSD tier of the prefix cache, per replica (DeepSeek's on-disk cache); read from the node's SSDs", "prefix_cache = true"});
const Key& kSsdRead = declare_key({"serving", "ssd_read_GBps", T::number, 0, 1e6, {}, "GB/s", "the node file's", "read bandwidth of the node's SSDs, shared by its replicas", "prefix_cache_ssd_gib > 0"});

const Key& kSpec = declare_key({"serving", "speculative", T::choice, 0, 0, {"none", "mtp", "draft"}, "", "none", "speculative decoding: the model's own multi-token-prediction module (DeepSeek-V3/R1) or a draft model", "policy = continuous or chunked"});
const Key& kSpecTokens = declare_key({"serving", "speculative_tokens", T::integer, 1, 16, {}, "tokens", "1", "tokens drafted per step, verified in one pass (vLLM num_speculative_tokens)", "speculative = mtp | draft"});
const Key& kSpecAccept = declare_key({"serving", "acceptance_rate", T::number, 0, 0.999, {}, "", "mtp: 0.85; draft: required", "probability that each drafted token is accepted (mtp: DeepSeek-V3 report, 85-90 % for the second token)", "speculative = mtp | draft"});
const Key& kDraftModel = declare_key({"serving", "draft_model", T::text, 0, 0, {}, "", "required", "the draft model's id (dssim list models); it shares the target's tokenizer", "speculative = draft"});
const Key& kDraftWeights = declare_key({"serving", "draft_weights", T::text, 0, 0, {}, "", "the target's", "the draft model's weight precision", "speculative = draft"});
const Key& kSpecSeed = declare_key({"serving", "speculative_seed", T::integer, 0, 9e18, {}, "", "1", "seed of the acceptance draws (same seed, same run)", "speculative = mtp | draft"});

const Key& kPrefillReplicas = declare_key({"serving", "prefill_replicas", T::integer, 1, 1 << 16, {}, "", "0 (colocated)", "prefill/decode disaggregation: replicas that only prefill (the x of xPyD); arrivals go to them", "with decode_replicas"});
const Key& kDecodeReplicas = declare_key({"serving", "decode_replicas", T::integer, 1, 1 << 16, {}, "", "0 (colocated)", "replicas that only decode (the y of xPyD), receiving each sequence's KV over the platform's links", "with prefill_replicas"});
const Key& kPrefillTp = declare_key({"serving", "prefill_tensor_parallel", T::integer, 1, 4096, {}, "GPUs", "tensor_parallel", "a prefill replica's tensor-parallel degree", "with prefill_replicas"});
const Key& kPrefillEp = declare_key({"serving", "prefill_expert_parallel", T::integer, 1, 4096, {}, "GPUs", "expert_parallel", "a prefill replica's expert-parallel degree", "with prefill_replicas"});
const Key& kDecodeTp = declare_key({"serving", "decode_tensor_parallel", T::integer, 1, 4096, {}, "GPUs", "tensor_parallel", "a decode replica's tensor-parallel degree", "with decode_replicas"});
const Key& kDecodeEp = declare_key({"serving", "decode_expert_parallel", T::integer, 1, 4096, {}, "GPUs", "expert_parallel", "a decode replica's expert-parallel degree", "with decode_replicas"});

void read_disaggregation(TomlTable& sv, ServingConfig& c) {
  const auto p = sv.opt_int(kPrefillReplicas), d = sv.opt_int(kDecodeReplicas);
  const auto ptp = sv.opt_int(kPrefillTp), pep = sv.opt_int(kPrefillEp), dtp = sv.opt_int(kDecodeTp), dep = sv.opt_int(kDecodeEp);
  if (!p && !d) {
    for (const Key* k : {&kPrefillTp, &kPrefillEp, &kDecodeTp, &kDecodeEp})
      if (sv.has(k->name))
        throw Error(fmt("%s: a setting of prefill/decode disaggregation; set prefill_replicas and decode_replicas",
                        sv.where(k->name).c_str()));
    return;
  }
  if (!p || !d)
    throw Error(fmt("%s: disaggregated serving needs both pools: set prefill_replicas and decode_replicas",
                    sv.where(p ? kPrefillReplicas.name : kDecodeReplicas.name).c_str()));
  if (sv.has(kReplicas.name) || sv.has(kDataParallel.name))
    throw Error(fmt("%s: with prefill_replicas and decode_replicas the pools say how many replicas there are; "
                    "remove replicas", sv.where(sv.has(kReplicas.name) ? kReplicas.name : kDataParallel.name).c_str()));
  if (!c.batch_policy().iteration_level())
    throw Error(fmt("%s: disaggregated serving needs a policy that schedules every iteration (continuous or chunked)",
                    sv.where(kPrefillReplicas.name).c_str()));
  c.prefill_replicas = static_cast<int>(*p);
  c.decode_replicas = static_cast<int>(*d);
  c.replicas = c.prefill_replicas + c.decode_replicas;
  c.prefill_tp = static_cast<int>(ptp.value_or(0));
  c.prefill_ep = static_cast<int>(pep.value_or(0));
  c.decode_tp = static_cast<int>(dtp.value_or(0));
  c.decode_ep = static_cast<int>(dep.value_or(0));
}

const BatchPolicy& default_policy() {
  static const std::unique_ptr<BatchPolicy> p = make_policy("continuous", "the default policy");
  return *p;
}

void read_speculation(TomlTable& sv, ServingConfig& c) {
  Speculation& sp = c.speculation;
  const std::string method = sv.opt_choice(kSpec).value_or("none");
  sp.method = method == "mtp" ? Speculation::Method::mtp : method == "draft" ? Speculation::Method::draft
                                                                             : Speculation::Method::none;
  if (!sp.on()) {
    for (const Key* k : {&kSpecTokens, &kSpecAccept, &kDraftModel, &kDraftWeights, &kSpecSeed})
      if (sv.has(k->name) && !sv.has(kSpec.name))
        throw Error(fmt("%s: a setting of speculative decoding, which is off; set speculative = \"mtp\" or \"draft\"",
                        sv.where(k->name).c_str()));
    // speculative = "none" written out keeps the settings (checked, unused) for an A/B with --set.
    (void)sv.opt_int(kSpecTokens);
    (void)sv.opt_number(kSpecAccept);
    (void)sv.opt_string(kDraftModel);
    (void)sv.opt_string(kDraftWeights);
    (void)sv.opt_int(kSpecSeed);
    return;
  }
  if (!c.batch_policy().iteration_level())
    throw Error(fmt("%s: speculative decoding needs a policy that schedules every iteration (continuous or chunked); "
                    "policy = \"%s\" runs whole batches", sv.where(kSpec.name).c_str(), c.batch_policy().name().c_str()));
  sp.tokens = static_cast<int>(sv.opt_int(kSpecTokens).value_or(1));
  sp.seed = static_cast<unsigned long long>(sv.opt_int(kSpecSeed).value_or(1));
  if (sp.method == Speculation::Method::draft) {
    auto model = sv.opt_string(kDraftModel);
    if (!model) throw Error(fmt("%s: speculative = \"draft\" needs draft_model (a model id, dssim list models)",
                               sv.where(kSpec.name).c_str()));
    sp.draft_model = *model;
    sp.draft_weights = sv.opt_string(kDraftWeights).value_or("");
    auto a = sv.opt_number(kSpecAccept);
    if (!a) throw Error(fmt("%s: speculative = \"draft\" needs acceptance_rate: how often the draft model's token is "
                           "the target's depends on the pair and the traffic (measure it, e.g. vLLM's spec-decode "
                           "metrics); there is no default", sv.where(kSpec.name).c_str()));
    sp.acceptance = *a;
  } else {
    if (sv.has(kDraftModel.name) || sv.has(kDraftWeights.name))
      throw Error(fmt("%s: draft_model and draft_weights are for speculative = \"draft\"; mtp drafts with the "
                      "model's own module", sv.where(sv.has(kDraftModel.name) ? kDraftModel.name : kDraftWeights.name).c_str()));
    sp.acceptance = sv.opt_number(kSpecAccept).value_or(0.85);
  }
}

}  // namespace

const BatchPolicy& ServingConfig::batch_policy() const { return policy ? *policy : default_policy(); }

double Speculation::expected_tokens() const {
  if (!on()) return 1.0;
  double sum = 0, term = 1;
  for (int i = 0; i <= tokens; ++i, term *= acceptance) sum += term;
  return sum;
}

std::vector<std::string> router_names() { return {"round_robin", "least_outstanding", "prefix_aware"}; }

Router parse_router(const std::string& name, const std::string& where) {
  if (name == "round_robin") return Router::round_robin;
  if (name == "least_outstanding") return Router::least_outstanding;
  if (name == "prefix_aware") return Router::prefix_aware;
  throw Error(unknown_name("router", name, where, router_names()));
}

std::string to_string(Router r) { return router_names()[static_cast<std::size_t>(r)]; }

void read_serving(TomlTable& sv, ServingConfig& c) {
  std::unique_ptr<BatchPolicy> policy = make_policy(sv.opt_string(kPolicy).value_or("continuous"), sv.where(kPolicy.name));
  policy->read_keys(sv);
  c.policy = std::move(policy);
  c.block_size = sv.opt_int(kBlock).value_or(c.block_size);
  c.replicas = static_cast<int>(sv.opt_int(kReplicas).value_or(1));
  if (auto dp = sv.opt_int(kDataParallel)) {
    if (sv.has(kReplicas.name) && *dp != c.replicas)
      throw Error(fmt("%s: data_parallel = %lld and replicas = %d say different things (they are the same setting: "
                      "whole copies of the model); keep one", sv.where(kDataParallel.name).c_str(), *dp, c.replicas));
    c.replicas = static_cast<int>(*dp);
  }
  if (auto a = sv.opt_choice(kAllreduce)) c.allreduce = comm::parse_allreduce(*a, sv.where(kAllreduce.name));
  if (auto r = sv.opt_string(kRouter)) c.router = parse_router(*r, sv.where(kRouter.name));
  c.router_balance_slack = static_cast<int>(sv.opt_int(kBalanceSlack).value_or(c.router_balance_slack));
  if (sv.has(kBalanceSlack.name) && c.router != Router::prefix_aware)
    throw Error(fmt("%s: a setting of router = \"prefix_aware\"", sv.where(kBalanceSlack.name).c_str()));
  if (auto v = sv.opt_number(kSloTtft)) c.slo_ttft_s = *v;
  if (auto v = sv.opt_number(kSloTpot)) c.slo_tpot_s = *v;
  if (auto v = sv.opt_int_list(kGraphSizes)) {
    c.graph_batch_sizes = *v;
    std::sort(c.graph_batch_sizes.begin(), c.graph_batch_sizes.end());
  }
  c.graph_context_bucket = sv.opt_int(kGraphBucket).value_or(0);
  c.step_overhead_s = sv.opt_number(kStepOverhead).value_or(0) * 1e-6;
  c.prefill_overhead_s = sv.opt_number(kPrefillOverhead).value_or(0) * 1e-3;
  c.prefix_cache = sv.opt_bool(kPrefixCache).value_or(false);
  c.prefix_host_bytes = sv.opt_number(kPrefixHost).value_or(0) * 1073741824.0;
  c.prefix_ssd_bytes = sv.opt_number(kPrefixSsd).value_or(0) * 1073741824.0;
  c.ssd_read_Bps = sv.opt_number(kSsdRead).value_or(0) * 1e9;
  read_speculation(sv, c);
  read_disaggregation(sv, c);
  if (c.router == Router::prefix_aware && !c.prefix_cache)
    throw Error(fmt("%s: router = \"prefix_aware\" routes by the prefix cache, which is off; set prefix_cache = true",
                    sv.where(kRouter.name).c_str()));
  if (c.prefix_cache && !c.batch_policy().iteration_level())
    throw Error(fmt("%s: prefix caching needs a policy that admits sequences one by one (continuous or chunked); "
                    "policy = \"%s\" prefills whole batches", sv.where(kPrefixCache.name).c_str(),
                    c.batch_policy().name().c_str()));
  // prefix_cache = false keeps the tiers' settings for an A/B (--set serving.prefix_cache=false);
  // without the switch at all they would be settings of nothing.
  for (const Key* k : {&kPrefixHost, &kPrefixSsd, &kSsdRead})
    if (!sv.has(kPrefixCache.name) && sv.has(k->name))
      throw Error(fmt("%s: a setting of the prefix cache, which is off; set prefix_cache = true",
                      sv.where(k->name).c_str()));
}

}  // namespace dssim
