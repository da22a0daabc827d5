#include "sweep/recommend.hpp"
#include "sweep/sweep.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "config/precision.hpp"
#include "config/toml_table.hpp"
#include "finance/pricing.hpp"
#include "memory/memory_model.hpp"
#include "parallel/layout.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

const toml::array* array_of(const toml::table& t, const std::string& file, const std::string& key) {
  const toml::node* n = t.get(key);
  if (!n) return nullptr;
  const toml::array* a = n->as_array();
  if (!a || a->empty())
    throw Error(fmt("%s:%u: key 'search.%s': expected a non-empty array", file.c_str(), n->source().begin.line, key.c_str()));
  return a;
}

std::vector<std::string> strings(const toml::table& t, const std::string& file, const std::string& key) {
  std::vector<std::string> out;
  if (const toml::array* a = array_of(t, file, key))
    for (const toml::node& e : *a) {
      if (!e.is_string())
        throw Error(fmt("%s:%u: key 'search.%s': expected strings", file.c_str(), e.source().begin.line, key.c_str()));
      out.emplace_back(*e.value<std::string>());
    }
  return out;
}

std::vector<int> integers(const toml::table& t, const std::string& file, const std::string& key, int lo, int hi) {
  std::vector<int> out;
  if (const toml::array* a = array_of(t, file, key))
    for (const toml::node& e : *a) {
      const auto v = e.value<long long>();
      if (!e.is_integer() || !v || *v < lo || *v > hi)
        throw Error(fmt("%s:%u: key 'search.%s': expected integers in [%d, %d]", file.c_str(), e.source().begin.line,
                        key.c_str(), lo, hi));
      out.push_back(static_cast<int>(*v));
    }
  return out;
}

bool iteration_level(const std::string& policy) { return policy == "continuous" || policy == "chunked"; }

double rank_cost(const RecommendSpec& s, const Outcome& o) { return s.rank_by == "cloud" ? o.usd_per_m_cloud : o.usd_per_m_onprem; }

}  // namespace

RecommendSpec load_recommend(const std::string& path) {
  auto doc = TomlTable::parse_file(path);
  TomlTable t(*doc, path, "");
  RecommendSpec s;
  s.file = path;
  s.base = base_scenario(t, path);
  s.description = t.opt_string("description").value_or("");
  s.rank_by = t.opt_string("rank_by").value_or("onprem");
  if (s.rank_by != "onprem" && s.rank_by != "cloud")
    throw Error(fmt("%s: expected \"onprem\" or \"cloud\", got \"%s\"", t.where("rank_by").c_str(), s.rank_by.c_str()));
  s.top = static_cast<int>(t.opt_int("top", 1, 1000).value_or(5));
  auto search = t.get_table("search");
  const toml::table& st = *doc->get_as<toml::table>("search");
  s.gpus = strings(st, path, "gpu");
  if (s.gpus.empty()) throw Error(fmt("%s: [search] needs gpu = [\"card id\", ...]", path.c_str()));
  if (st.contains("gpus")) s.counts = integers(st, path, "gpus", 1, 4096);
  if (st.contains("tensor_parallel")) s.tensor_parallel = integers(st, path, "tensor_parallel", 1, 4096);
  if (st.contains("pipeline_parallel")) s.pipeline_parallel = integers(st, path, "pipeline_parallel", 1, 4096);
  s.weights = strings(st, path, "weights");
  for (const auto& w : s.weights) (void)parse_weight_precision(w, search.where("weights"));
  s.max_batch = integers(st, path, "max_batch", 1, 1 << 20);
  s.max_batched_tokens = integers(st, path, "max_batched_tokens", 1, 1 << 30);
  auto one_of = [&](const std::string& key, const std::vector<std::string>& v, const std::vector<std::string>& allowed) {
    for (const auto& x : v)
      if (std::find(allowed.begin(), allowed.end(), x) == allowed.end())
        throw Error(fmt("%s: '%s' is not one of %s", search.where(key).c_str(), x.c_str(), join(allowed, ", ").c_str()));
  };
  s.policies = strings(st, path, "policy");
  one_of("policy", s.policies, {"static", "adaptive", "continuous", "chunked"});
  s.speculative = strings(st, path, "speculative");
  one_of("speculative", s.speculative, {"none", "mtp", "draft"});
  if (const toml::array* a = array_of(st, path, "prefix_cache"))
    for (const toml::node& e : *a) {
      if (!e.is_boolean())
        throw Error(fmt("%s:%u: key 'search.prefix_cache': expected true or false", path.c_str(), e.source().begin.line));
      s.prefix_cache.push_back(*e.value<bool>() ? 1 : 0);
    }
  for (const auto& r : strings(st, path, "prefill_decode")) {
    int p = 0, d = 0;
    char tail = 0;
    if (r == "colocated") {
      s.prefill_decode.emplace_back(0, 0);
    } else if (std::sscanf(r.c_str(), "%d:%d%c", &p, &d, &tail) == 2 && p >= 1 && d >= 1 && p <= 64 && d <= 64) {
      s.prefill_decode.emplace_back(p, d);
    } else {
      throw Error(fmt("%s: '%s': expected \"colocated\" or a ratio \"P:D\" of prefill to decode replicas (e.g. \"1:3\")",
                      search.where("prefill_decode").c_str(), r.c_str()));
    }
  }
  search.allow({"gpu", "gpus", "tensor_parallel", "pipeline_parallel", "weights", "max_batch", "max_batched_tokens", "policy", "prefix_cache",
                "speculative", "prefill_decode"});
  search.finish();
  if (auto c = t.opt_table("constraints")) {
    s.budget_usd = c->opt_number("budget_usd", 0, 1e12);
    s.max_power_w = c->opt_number("max_power_w", 0, 1e9);
    c->finish();
  }
  if (const auto* slo = doc->get_as<toml::table>("slo")) {
    for (auto&& [k, v] : *slo) {
      const auto x = v.value<double>();
      if (!x) throw Error(fmt("%s:%u: key 'slo.%s': expected a number", path.c_str(), v.source().begin.line, std::string(k.str()).c_str()));
      s.slo.push_back(fmt("slo.%s=%.17g", std::string(k.str()).c_str(), *x));
    }
  }
  t.allow({"search", "constraints", "slo"});
  t.finish();
  return s;
}

std::vector<std::string> Candidate::overrides() const {
  std::vector<std::string> o{"platform.gpu=\"" + gpu + "\"", fmt("platform.count=%d", gpus), fmt("serving.tensor_parallel=%d", tp)};
  if (pp > 1) o.push_back(fmt("serving.pipeline_parallel=%d", pp));
  if (disaggregated()) {
    o.push_back(fmt("serving.prefill_replicas=%d", prefill_replicas()));
    o.push_back(fmt("serving.decode_replicas=%d", decode_replicas()));
  } else {
    o.push_back(fmt("serving.replicas=%d", replicas()));
  }
  if (!policy.empty()) o.push_back("serving.policy=\"" + policy + "\"");
  // A cache pays when each turn goes where its prefix is: on, the prefix-aware router; off, the least loaded.
  if (prefix_cache == 1) o.insert(o.end(), {"serving.prefix_cache=true", "serving.router=\"prefix_aware\""});
  if (prefix_cache == 0) o.insert(o.end(), {"serving.prefix_cache=false", "serving.router=\"least_outstanding\""});
  if (!speculative.empty()) o.push_back("serving.speculative=\"" + speculative + "\"");
  if (!weights.empty()) o.push_back("model.weights=\"" + weights + "\"");
  if (max_batch > 0) o.push_back(fmt("serving.max_batch=%d", max_batch));
  if (experts_follow_tp) o.push_back(fmt("serving.expert_parallel=%d", tp));
  if (max_batched_tokens > 0) o.push_back(fmt("%s=%d", tokens_key.c_str(), max_batched_tokens));
  return o;
}

std::string Candidate::label() const {
  std::string l = fmt("%d x %s, TP %d%s%s x %d replica%s", gpus, gpu.c_str(), tp, experts_follow_tp && tp > 1 ? fmt(" EP %d", tp).c_str() : "",
                      pp > 1 ? fmt(" PP %d", pp).c_str() : "", replicas(), replicas() > 1 ? "s" : "");
  if (!weights.empty()) l += ", " + weights;
  if (max_batch > 0) l += fmt(", max_batch %d", max_batch);
  if (max_batched_tokens > 0) l += fmt(", %d-token iterations", max_batched_tokens);
  if (!policy.empty()) l += ", " + policy;
  if (prefix_cache >= 0) l += prefix_cache ? ", prefix cache" : ", no prefix cache";
  if (!speculative.empty()) l += speculative == "none" ? ", no speculation" : ", " + speculative;
  if (disaggregated()) l += fmt(", %dP%dD", prefill_replicas(), decode_replicas());
  return l;
}

std::string Candidate::layout_key() const {
  return fmt("%s|%s|%d|%d|%d|%d|%s|%d|%s|%d:%d", gpu.c_str(), weights.c_str(), tp, pp, max_batch, max_batched_tokens, policy.c_str(),
             prefix_cache, speculative.c_str(), pd_prefill, pd_decode);
}

std::vector<Candidate> candidates(const RecommendSpec& s, bool moe, const std::string& policy) {
  std::vector<Candidate> out;
  const std::vector<std::string> weights = s.weights.empty() ? std::vector<std::string>{""} : s.weights;
  const std::vector<int> batches = s.max_batch.empty() ? std::vector<int>{0} : s.max_batch;
  const std::vector<int> chunks = s.max_batched_tokens.empty() ? std::vector<int>{0} : s.max_batched_tokens;
  const std::vector<std::string> policies = s.policies.empty() ? std::vector<std::string>{""} : s.policies;
  const std::vector<int> prefix = s.prefix_cache.empty() ? std::vector<int>{-1} : s.prefix_cache;
  const std::vector<std::string> spec = s.speculative.empty() ? std::vector<std::string>{""} : s.speculative;
  const std::vector<std::pair<int, int>> pds = s.prefill_decode.empty() ? std::vector<std::pair<int, int>>{{0, 0}} : s.prefill_decode;
  for (const auto& g : s.gpus)
    for (int n : s.counts)
      for (int tp : s.tensor_parallel)
        for (int stages : s.pipeline_parallel) {
        if (tp * stages > n || n % (tp * stages) != 0) continue;
        for (const auto& w : weights)
          for (int b : batches)
            for (const auto& pol : policies) {
              const std::string p = pol.empty() ? policy : pol;
              // Static and adaptive batches take no iteration size, prefix cache, speculation or P/D:
              // one candidate each, with the base's settings of those.
              const bool iter = iteration_level(p);
              static const std::vector<int> none_i{0}, base_i{-1};
              static const std::vector<std::string> base_s{""};
              static const std::vector<std::pair<int, int>> colocated{{0, 0}};
              for (int k : iter ? chunks : none_i) {
                for (int pc : iter ? prefix : base_i)
                  for (const auto& sp : iter ? spec : base_s)
                    for (const auto& [pp, dd] : iter ? pds : colocated) {
                      if (pp > 0 && (n / (tp * stages)) % (pp + dd) != 0) continue;
                      Candidate c;
                      c.gpu = g;
                      c.weights = w;
                      c.gpus = n;
                      c.tp = tp;
                      c.pp = stages;
                      c.max_batch = b;
                      c.experts_follow_tp = moe;
                      c.max_batched_tokens = k;
                      c.policy = pol;
                      c.prefix_cache = pc;
                      c.speculative = sp;
                      c.pd_prefill = pp;
                      c.pd_decode = dd;
                      if (p == "chunked") c.tokens_key = "serving.token_budget";
                      out.push_back(c);
                    }
              }
            }
      }
  return out;
}

std::string prune(const Candidate& c, const ModelCard& m, const GpuCard& g, const std::string& base_weights) {
  if (!tp_compatible(m, c.tp)) return fmt("tensor parallel %d does not divide %s's attention heads", c.tp, m.id.c_str());
  const std::string w = c.weights.empty() ? base_weights : c.weights;
  if (c.pp > m.num_hidden_layers)
    return fmt("pipeline parallel %d exceeds %s's %d layers", c.pp, m.id.c_str(), m.num_hidden_layers);
  ParallelLayout l;
  l.tp = c.tp;
  l.pp = c.pp;
  if (c.experts_follow_tp) l.ep = c.tp;
  const double need = weight_bytes_per_gpu(m, parse_weight_precision(w, "recommend"), l);
  if (need > g.memory_bytes)
    return fmt("does not fit: %s weights need %s per GPU at TP %d%s, %s has %s", w.c_str(), human_bytes(need).c_str(), c.tp,
               c.pp > 1 ? fmt(" PP %d", c.pp).c_str() : "", g.id.c_str(), human_bytes(g.memory_bytes).c_str());
  return "";
}

std::string failure(const RecommendSpec& s, const Outcome& o) {
  if (o.status != Outcome::Status::ok) return o.why;
  if (!o.keeps_up || !o.meets_slo) return o.verdict;
  if (s.budget_usd && !(o.hardware_usd <= *s.budget_usd))
    return fmt("over the budget: %s of hardware, %s allowed", dollars(o.hardware_usd).c_str(), dollars(*s.budget_usd).c_str());
  if (s.max_power_w && !(o.power_w <= *s.max_power_w))
    return fmt("over the power limit: %.0f W, %.0f W allowed", o.power_w, *s.max_power_w);
  return "";
}

bool qualifies(const RecommendSpec& s, const Outcome& o) { return o.status == Outcome::Status::ok && failure(s, o).empty(); }

std::vector<std::size_t> ranked(const RecommendSpec& s, const std::vector<Outcome>& o) {
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < o.size(); ++i)
    if (qualifies(s, o[i])) idx.push_back(i);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    const double ca = rank_cost(s, o[a]), cb = rank_cost(s, o[b]);
    if (std::isnan(ca) != std::isnan(cb)) return std::isnan(cb);  // known prices first
    if (!std::isnan(ca) && ca != cb) return ca < cb;
    return o[a].hardware_usd < o[b].hardware_usd;
  });
  return idx;
}

std::vector<std::size_t> pareto(const RecommendSpec& s, const std::vector<Outcome>& o) {
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < o.size(); ++i) {
    const double ci = rank_cost(s, o[i]), li = o[i].ttft_p99_s;
    if (o[i].status != Outcome::Status::ok || !o[i].keeps_up || std::isnan(ci) || std::isnan(li)) continue;
    bool beaten = false;
    for (std::size_t j = 0; j < o.size() && !beaten; ++j) {
      const double cj = rank_cost(s, o[j]), lj = o[j].ttft_p99_s;
      if (j == i || o[j].status != Outcome::Status::ok || !o[j].keeps_up || std::isnan(cj) || std::isnan(lj)) continue;
      beaten = cj <= ci && lj <= li && (cj < ci || lj < li);
    }
    if (!beaten) front.push_back(i);
  }
  std::sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) { return rank_cost(s, o[a]) < rank_cost(s, o[b]); });
  return front;
}

namespace {

// One engine instance per replica of a pool: "# N prefill instances:" then its command.
std::string per_pool(const Candidate& c, const std::string& colocated, const std::string& prefill, const std::string& decode) {
  if (!c.disaggregated()) return colocated;
  return fmt("# %d prefill instance%s:\n%s\n# %d decode instance%s:\n%s", c.prefill_replicas(), c.prefill_replicas() > 1 ? "s" : "",
             prefill.c_str(), c.decode_replicas(), c.decode_replicas() > 1 ? "s" : "", decode.c_str());
}

}  // namespace

std::string vllm_command(const Candidate& c, const Outcome& o) {
  std::string cmd = fmt("vllm serve %s --tensor-parallel-size %d", o.hf_repo.c_str(), c.tp);
  if (c.pp > 1) cmd += fmt(" --pipeline-parallel-size %d", c.pp);
  std::string dp = c.replicas() > 1 && !c.disaggregated() ? fmt(" --data-parallel-size %d", c.replicas()) : "";
  std::string rest;
  if (c.experts_follow_tp && c.tp > 1) rest += " --enable-expert-parallel";
  rest += fmt(" --max-num-seqs %d", o.max_batch);
  if (o.iteration_tokens > 0) rest += fmt(" --max-num-batched-tokens %lld", o.iteration_tokens);
  if (c.prefix_cache == 1) rest += " --enable-prefix-caching";
  if (c.prefix_cache == 0) rest += " --no-enable-prefix-caching";
  if (o.speculative == "mtp")
    rest += fmt(" --speculative-config '{\"method\": \"deepseek_mtp\", \"num_speculative_tokens\": %d}'", o.speculative_tokens);
  if (o.speculative == "draft")
    rest += fmt(" --speculative-config '{\"model\": \"%s\", \"num_speculative_tokens\": %d}'", o.draft_repo.c_str(),
                o.speculative_tokens);
  std::string note;
  if (o.weights == "fp8") rest += " --quantization fp8";
  else if (o.weights == "int8" || o.weights == "int4") note = "   # an int8/int4 checkpoint (GPTQ/AWQ/compressed-tensors) of the model";
  const std::string kv = " --kv-transfer-config '{\"kv_connector\": \"NixlConnector\", \"kv_role\": \"kv_both\"}'";
  return per_pool(c, cmd + dp + rest + note, cmd + rest + kv + note, cmd + rest + kv + note);
}

std::string sglang_command(const Candidate& c, const Outcome& o) {
  std::string cmd = fmt("python -m sglang.launch_server --model-path %s --tp %d", o.hf_repo.c_str(), c.tp);
  if (c.pp > 1) cmd += fmt(" --pp-size %d", c.pp);
  std::string dp = c.replicas() > 1 && !c.disaggregated() ? fmt(" --dp %d", c.replicas()) : "";
  std::string rest;
  if (c.experts_follow_tp && c.tp > 1) rest += fmt(" --ep-size %d", c.tp);
  rest += fmt(" --max-running-requests %d", o.max_batch);
  if (o.iteration_tokens > 0) rest += fmt(" --chunked-prefill-size %lld", o.iteration_tokens);
  if (c.prefix_cache == 0) rest += " --disable-radix-cache";  // on by default
  if (o.speculative == "mtp")
    rest += fmt(" --speculative-algorithm EAGLE --speculative-num-steps %d --speculative-eagle-topk 1 "
                "--speculative-num-draft-tokens %d",
                o.speculative_tokens, o.speculative_tokens + 1);
  if (o.speculative == "draft")
    rest += fmt(" --speculative-algorithm STANDALONE --speculative-draft-model-path %s --speculative-num-steps %d "
                "--speculative-eagle-topk 1 --speculative-num-draft-tokens %d",
                o.draft_repo.c_str(), o.speculative_tokens, o.speculative_tokens + 1);
  std::string note;
  if (o.weights == "fp8") rest += " --quantization fp8";
  else if (o.weights == "int8" || o.weights == "int4") note = "   # an int8/int4 checkpoint (GPTQ/AWQ) of the model";
  return per_pool(c, cmd + dp + rest + note, cmd + rest + " --disaggregation-mode prefill" + note,
                  cmd + rest + " --disaggregation-mode decode" + note);
}

}  // namespace dssim
