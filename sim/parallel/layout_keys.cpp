// The layout keys of [serving]: how one replica spreads over its GPUs.
#include "config/keys.hpp"
#include "config/toml_table.hpp"
#include "parallel/layout.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {
using T = Key::Type;
const Key& kTp = declare_key({"serving", "tensor_parallel", T::integer, 1, 4096, {}, "GPUs", "1", "GPUs splitting each layer's heads and widths", ""});
const Key& kPp = declare_key({"serving", "pipeline_parallel", T::integer, 1, 4096, {}, "stages", "1", "pipeline stages, each a range of layers", ""});
const Key& kEp = declare_key({"serving", "expert_parallel", T::integer, 1, 4096, {}, "GPUs", "1", "GPUs holding whole experts (MoE); a multiple of tensor_parallel", ""});
const Key& kMicro = declare_key({"serving", "microbatches", T::integer, 1, 4096, {}, "", "pipeline_parallel", "pipeline micro-batches per iteration", ""});
const Key& kSkew = declare_key({"serving", "routing_skew", T::number, 0, 10, {}, "", "0 (uniform)", "Zipf exponent of the router's expert choice", ""});
const Key& kPlacement = declare_key({"serving", "expert_placement", T::text, 0, 0, {}, "", "contiguous", "contiguous, round_robin or balanced", ""});
const Key& kDispatch = declare_key({"serving", "dispatch_dtype", T::choice, 0, 0, {"bf16", "fp8"}, "", "bf16", "the EP dispatch all-to-all's precision (fp8 as DeepEP; the combine stays 16-bit)", ""});
const Key& kRedundant = declare_key({"serving", "redundant_experts", T::integer, 0, 4096, {}, "experts", "0", "EPLB: extra copies of the hottest experts, packed with the others for balance over the EP ranks (DeepSeek: 32 in prefill); each costs an expert's weights", "expert_parallel > 1"});
const Key& kA2a = declare_key({"serving", "ep_a2a", T::choice, 0, 0, {"direct", "deepep"}, "", "direct", "the EP all-to-all: direct (each token's copy per expert straight to its rank, as NCCL) or deepep (DeepEP as SGLang's --deepep-mode auto: prefills by its normal kernels, a token once per remote node over the network and forwarded over NVLink once per rank, holding deepep_sms SMs; decode steps by its low-latency kernels)", "expert_parallel > 1"});
const Key& kDeepepSms = declare_key({"serving", "deepep_sms", T::integer, 1, 1024, {}, "SMs", "20 (DeepEP's Buffer.num_sms)", "SMs DeepEP's normal kernels hold while they run; the kernels they overlap (two-batch overlap) run on the rest", "ep_a2a = deepep"});
const Key& kTbo = declare_key({"serving", "two_batch_overlap", T::boolean, 0, 0, {}, "", "false", "two micro-batches on two streams, each communicating under the other's kernels", ""});
}  // namespace

ParallelLayout read_layout(TomlTable& sv) {
  ParallelLayout l;
  l.tp = static_cast<int>(sv.opt_int(kTp).value_or(1));
  l.pp = static_cast<int>(sv.opt_int(kPp).value_or(1));
  l.ep = static_cast<int>(sv.opt_int(kEp).value_or(1));
  l.microbatches = static_cast<int>(sv.opt_int(kMicro).value_or(0));
  l.routing_skew = sv.opt_number(kSkew).value_or(0.0);
  if (auto pl = sv.opt_string(kPlacement)) l.placement = parse_expert_placement(*pl, sv.where(kPlacement.name));
  if (auto d = sv.opt_choice(kDispatch)) l.fp8_dispatch = *d == "fp8";
  l.two_batch_overlap = sv.opt_bool(kTbo).value_or(false);
  l.deepep = sv.opt_choice(kA2a).value_or("direct") == "deepep";
  if (auto n = sv.opt_int(kDeepepSms)) {
    if (!l.deepep)
      throw Error(fmt("%s: deepep_sms is the SMs DeepEP's normal kernels hold; it needs ep_a2a = \"deepep\"",
                      sv.where(kDeepepSms.name).c_str()));
    l.deepep_sms = static_cast<int>(*n);
  }
  l.redundant_experts = static_cast<int>(sv.opt_int(kRedundant).value_or(0));
  if (l.redundant_experts > 0 && l.ep <= 1)
    throw Error(fmt("%s: redundant experts are copies over expert-parallel ranks; set expert_parallel > 1",
                    sv.where(kRedundant.name).c_str()));
  return l;
}

}  // namespace dssim
