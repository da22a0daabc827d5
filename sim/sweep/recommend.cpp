#include "sweep/recommend.hpp"
#include "sweep/sweep.hpp"

#include <algorithm>
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
  s.weights = strings(st, path, "weights");
  for (const auto& w : s.weights) (void)parse_weight_precision(w, search.where("weights"));
  s.max_batch = integers(st, path, "max_batch", 1, 1 << 20);
  s.max_batched_tokens = integers(st, path, "max_batched_tokens", 1, 1 << 30);
  search.allow({"gpu", "gpus", "tensor_parallel", "weights", "max_batch", "max_batched_tokens"});
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
  std::vector<std::string> o{"platform.gpu=\"" + gpu + "\"", fmt("platform.count=%d", gpus), fmt("serving.tensor_parallel=%d", tp),
                             fmt("serving.replicas=%d", replicas())};
  if (!weights.empty()) o.push_back("model.weights=\"" + weights + "\"");
  if (max_batch > 0) o.push_back(fmt("serving.max_batch=%d", max_batch));
  if (experts_follow_tp) o.push_back(fmt("serving.expert_parallel=%d", tp));
  if (max_batched_tokens > 0) o.push_back(fmt("%s=%d", tokens_key.c_str(), max_batched_tokens));
  return o;
}

std::string Candidate::label() const {
  std::string l = fmt("%d x %s, TP %d%s x %d replica%s", gpus, gpu.c_str(), tp, experts_follow_tp ? fmt(" EP %d", tp).c_str() : "",
                      replicas(), replicas() > 1 ? "s" : "");
  if (!weights.empty()) l += ", " + weights;
  if (max_batch > 0) l += fmt(", max_batch %d", max_batch);
  if (max_batched_tokens > 0) l += fmt(", %d-token iterations", max_batched_tokens);
  return l;
}

std::vector<Candidate> candidates(const RecommendSpec& s, bool moe, const std::string& policy) {
  std::vector<Candidate> out;
  const std::vector<std::string> weights = s.weights.empty() ? std::vector<std::string>{""} : s.weights;
  const std::vector<int> batches = s.max_batch.empty() ? std::vector<int>{0} : s.max_batch;
  const std::vector<int> chunks = s.max_batched_tokens.empty() ? std::vector<int>{0} : s.max_batched_tokens;
  for (const auto& g : s.gpus)
    for (int n : s.counts)
      for (int tp : s.tensor_parallel) {
        if (tp > n || n % tp != 0) continue;
        for (const auto& w : weights)
          for (int b : batches)
            for (int k : chunks) {
              Candidate c{g, w, n, tp, b, moe};
              c.max_batched_tokens = k;
              if (policy == "chunked") c.tokens_key = "serving.token_budget";
              out.push_back(c);
            }
      }
  return out;
}

std::string prune(const Candidate& c, const ModelCard& m, const GpuCard& g, const std::string& base_weights) {
  if (!tp_compatible(m, c.tp)) return fmt("tensor parallel %d does not divide %s's attention heads", c.tp, m.id.c_str());
  const std::string w = c.weights.empty() ? base_weights : c.weights;
  ParallelLayout l;
  l.tp = c.tp;
  if (c.experts_follow_tp) l.ep = c.tp;
  const double need = weight_bytes_per_gpu(m, parse_weight_precision(w, "recommend"), l);
  if (need > g.memory_bytes)
    return fmt("does not fit: %s weights need %s per GPU at TP %d, %s has %s", w.c_str(), human_bytes(need).c_str(), c.tp,
               g.id.c_str(), human_bytes(g.memory_bytes).c_str());
  return "";
}

std::string failure(const RecommendSpec& s, const Outcome& o) {
  if (o.status != Outcome::Status::ok) return o.why;
  if (!o.keeps_up || !o.meets_slo) return o.verdict;
  if (s.budget_usd && !(o.hardware_usd <= *s.budget_usd))
    return fmt("over the budget: %s of GPUs, %s allowed", dollars(o.hardware_usd).c_str(), dollars(*s.budget_usd).c_str());
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

std::string vllm_command(const Candidate& c, const Outcome& o) {
  std::string cmd = fmt("vllm serve %s --tensor-parallel-size %d", o.hf_repo.c_str(), c.tp);
  if (c.replicas() > 1) cmd += fmt(" --data-parallel-size %d", c.replicas());
  if (c.experts_follow_tp) cmd += " --enable-expert-parallel";
  cmd += fmt(" --max-num-seqs %d", o.max_batch);
  if (o.iteration_tokens > 0) cmd += fmt(" --max-num-batched-tokens %lld", o.iteration_tokens);
  if (o.weights == "fp8") cmd += " --quantization fp8";
  else if (o.weights == "int8" || o.weights == "int4") cmd += "   # an int8/int4 checkpoint (GPTQ/AWQ/compressed-tensors) of the model";
  return cmd;
}

std::string sglang_command(const Candidate& c, const Outcome& o) {
  std::string cmd = fmt("python -m sglang.launch_server --model-path %s --tp %d", o.hf_repo.c_str(), c.tp);
  if (c.replicas() > 1) cmd += fmt(" --dp %d", c.replicas());
  if (c.experts_follow_tp) cmd += fmt(" --ep-size %d", c.tp);
  cmd += fmt(" --max-running-requests %d", o.max_batch);
  if (o.iteration_tokens > 0) cmd += fmt(" --chunked-prefill-size %lld", o.iteration_tokens);
  if (o.weights == "fp8") cmd += " --quantization fp8";
  else if (o.weights == "int8" || o.weights == "int4") cmd += "   # an int8/int4 checkpoint (GPTQ/AWQ) of the model";
  return cmd;
}

}  // namespace dssim
