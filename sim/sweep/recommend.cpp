#include "sweep/recommend.hpp"
#include "sweep/sweep.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <numeric>
#include <set>

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
  s.nodes = strings(st, path, "node");
  if (s.gpus.empty() && s.nodes.empty())
    throw Error(fmt("%s: [search] needs gpu = [\"card id\", ...] (implied nodes) or node = [\"node file id\", ...]", path.c_str()));
  if (st.contains("gpus")) {
    if (s.gpus.empty()) throw Error(fmt("%s: 'gpus' counts the GPUs of [search] gpu, which is not given (a node file sets its own: use nodes)", search.where("gpus").c_str()));
    s.counts = integers(st, path, "gpus", 1, 4096);
  }
  if (st.contains("nodes")) {
    if (s.nodes.empty()) throw Error(fmt("%s: 'nodes' counts the copies of [search] node, which is not given", search.where("nodes").c_str()));
    s.node_counts = integers(st, path, "nodes", 1, 4096);
  }
  s.decode_nodes = strings(st, path, "decode_node");
  if (!s.decode_nodes.empty() && s.nodes.empty())
    throw Error(fmt("%s: a decode pool on its own nodes receives the KV over the nodes' networks, so the prefill pool must be "
                    "on node files too: give [search] node = [...]", search.where("decode_node").c_str()));
  for (const char* k : {"decode_nodes", "decode_tensor_parallel"})
    if (st.contains(k) && s.decode_nodes.empty())
      throw Error(fmt("%s: a setting of the decode pool's own nodes; give [search] decode_node = [...]", search.where(k).c_str()));
  if (st.contains("decode_nodes")) s.decode_node_counts = integers(st, path, "decode_nodes", 1, 4096);
  s.decode_tensor_parallel = integers(st, path, "decode_tensor_parallel", 1, 4096);
  s.expert_parallel = integers(st, path, "expert_parallel", 1, 4096);
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
  search.allow({"gpu", "gpus", "node", "nodes", "decode_node", "decode_nodes", "decode_tensor_parallel", "expert_parallel", "tensor_parallel", "pipeline_parallel", "weights", "max_batch", "max_batched_tokens", "policy", "prefix_cache",
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
  if (const toml::node* n = doc->get("set")) {
    const toml::array* a = n->as_array();
    if (!a) throw Error(fmt("%s:%u: key 'set': expected an array of \"section.key=value\" strings", path.c_str(), n->source().begin.line));
    for (const toml::node& e : *a) {
      const auto v = e.value<std::string>();
      if (!e.is_string() || !v || v->find('=') == std::string::npos || v->find('.') > v->find('='))
        throw Error(fmt("%s:%u: key 'set': expected \"section.key=value\" strings (as --set takes)", path.c_str(), e.source().begin.line));
      s.sets.push_back(*v);
    }
  }
  t.allow({"search", "constraints", "slo", "set"});
  t.finish();
  return s;
}

std::vector<std::string> Candidate::overrides() const {
  std::vector<std::string> o;
  if (node.empty()) o = {"platform.gpu=\"" + gpu + "\"", fmt("platform.count=%d", gpus)};
  else o = {"platform.node=\"" + node + "\"", fmt("platform.nodes=%d", nodes)};
  o.push_back(fmt("serving.tensor_parallel=%d", tp));
  if (pp > 1) o.push_back(fmt("serving.pipeline_parallel=%d", pp));
  if (disaggregated()) {
    o.push_back(fmt("serving.prefill_replicas=%d", prefill_replicas()));
    o.push_back(fmt("serving.decode_replicas=%d", decode_replicas()));
  } else {
    o.push_back(fmt("serving.replicas=%d", replicas()));
  }
  if (own_decode()) {
    o.push_back("decode_platform.node=\"" + decode_node + "\"");
    o.push_back(fmt("decode_platform.nodes=%d", decode_nodes));
    o.push_back(fmt("serving.decode_tensor_parallel=%d", decode_tp));
    if (experts_follow_tp || ep > 0) o.push_back(fmt("serving.decode_expert_parallel=%d", decode_expert_degree()));
  }
  if (!policy.empty()) o.push_back("serving.policy=\"" + policy + "\"");
  // A cache pays when each turn goes where its prefix is: on, the prefix-aware router; off, the least loaded.
  if (prefix_cache == 1) o.insert(o.end(), {"serving.prefix_cache=true", "serving.router=\"prefix_aware\""});
  if (prefix_cache == 0) o.insert(o.end(), {"serving.prefix_cache=false", "serving.router=\"least_outstanding\""});
  if (!speculative.empty()) o.push_back("serving.speculative=\"" + speculative + "\"");
  if (!weights.empty()) o.push_back("model.weights=\"" + weights + "\"");
  if (max_batch > 0) o.push_back(fmt("serving.max_batch=%d", max_batch));
  if (experts_follow_tp || ep > 0) o.push_back(fmt("serving.expert_parallel=%d", expert_degree()));
  if (max_batched_tokens > 0) o.push_back(fmt("%s=%d", tokens_key.c_str(), max_batched_tokens));
  return o;
}

std::string Candidate::label() const {
  auto hardware = [](int n_gpus, const std::string& kind, int n_nodes, const std::string& node_kind) {
    return fmt("%d x %s", n_gpus, kind.c_str()) + (node_kind.empty() ? "" : fmt(" (%d x %s)", n_nodes, node_kind.c_str()));
  };
  auto layout = [](int t, int e, int p) {
    return fmt("TP %d", t) + (e > 1 ? fmt(" EP %d", e) : "") + (p > 1 ? fmt(" PP %d", p) : "");
  };
  std::string l = hardware(gpus, gpu, nodes, node) + ", " + layout(tp, expert_degree(), pp);
  if (own_decode())
    l += fmt(" x %d prefill + ", replicas()) + hardware(decode_gpus, decode_gpu, decode_nodes, decode_node) + ", " +
         layout(decode_tp, decode_expert_degree(), 1) + fmt(" x %d decode", decode_replicas());
  else
    l += fmt(" x %d replica%s", replicas(), replicas() > 1 ? "s" : "");
  if (!weights.empty()) l += ", " + weights;
  if (max_batch > 0) l += fmt(", max_batch %d", max_batch);
  if (max_batched_tokens > 0) l += fmt(", %d-token iterations", max_batched_tokens);
  if (!policy.empty()) l += ", " + policy;
  if (prefix_cache >= 0) l += prefix_cache ? ", prefix cache" : ", no prefix cache";
  if (!speculative.empty()) l += speculative == "none" ? ", no speculation" : ", " + speculative;
  if (disaggregated() && !own_decode()) l += fmt(", %dP%dD", prefill_replicas(), decode_replicas());
  return l;
}

std::string Candidate::layout_key() const {
  return fmt("%s|%s|%s|%d|%d|%d|%d|%d|%s|%d|%s|%d:%d|%s|%d|%d", gpu.c_str(), node.c_str(), weights.c_str(), tp, expert_degree(), pp,
             max_batch, max_batched_tokens, policy.c_str(), prefix_cache, speculative.c_str(), pd_prefill, pd_decode,
             decode_node.c_str(), decode_nodes, decode_tp);
}

std::vector<Candidate> candidates(const RecommendSpec& s, bool moe, const std::string& policy, const NodeLookup& node_info) {
  std::vector<Candidate> out;
  const std::vector<std::string> weights = s.weights.empty() ? std::vector<std::string>{""} : s.weights;
  const std::vector<int> batches = s.max_batch.empty() ? std::vector<int>{0} : s.max_batch;
  const std::vector<int> chunks = s.max_batched_tokens.empty() ? std::vector<int>{0} : s.max_batched_tokens;
  const std::vector<std::string> policies = s.policies.empty() ? std::vector<std::string>{""} : s.policies;
  const std::vector<int> prefix = s.prefix_cache.empty() ? std::vector<int>{-1} : s.prefix_cache;
  const std::vector<std::string> spec = s.speculative.empty() ? std::vector<std::string>{""} : s.speculative;
  const std::vector<std::pair<int, int>> pds = s.prefill_decode.empty() ? std::vector<std::pair<int, int>>{{0, 0}} : s.prefill_decode;
  // EP 0: the experts follow TP (MoE) or there are none.
  const std::vector<int> eps = moe && !s.expert_parallel.empty() ? s.expert_parallel : std::vector<int>{0};
  auto lookup = [&](const std::string& id) {
    if (!node_info) throw Error("recommend: node files need a node lookup");
    return node_info(id);
  };
  // The platforms: implied nodes of each GPU kind, then copies of each node file.
  Candidate hw;
  std::vector<Candidate> platforms;
  for (const auto& g : s.gpus)
    for (int n : s.counts) {
      hw.gpu = g;
      hw.gpus = n;
      platforms.push_back(hw);
    }
  for (const auto& id : s.nodes)
    for (int k : s.node_counts) {
      const NodeInfo ni = lookup(id);
      hw.node = id;
      hw.nodes = k;
      hw.gpu = ni.gpu;
      hw.gpus = k * ni.gpus;
      platforms.push_back(hw);
    }
  // The decode pool's own hardware, each with its TP degrees.
  std::vector<Candidate> decode_hw;
  for (const auto& id : s.decode_nodes)
    for (int k : s.decode_node_counts) {
      const NodeInfo ni = lookup(id);
      Candidate d;
      d.decode_node = id;
      d.decode_nodes = k;
      d.decode_gpu = ni.gpu;
      d.decode_gpus = k * ni.gpus;
      decode_hw.push_back(d);
    }
  for (const Candidate& plat : platforms)
    for (int tp : s.tensor_parallel)
      for (int ep : eps)
        for (int stages : s.pipeline_parallel) {
          if (ep > 0 && ep % tp != 0) continue;  // whole experts over every GPU of a stage
          const int per_replica = stages * std::max(tp, ep);
          const int n = plat.gpus;
          if (per_replica > n || n % per_replica != 0) continue;
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
                for (int k : iter ? chunks : none_i)
                  for (int pc : iter ? prefix : base_i)
                    for (const auto& sp : iter ? spec : base_s) {
                      Candidate c = plat;
                      c.weights = w;
                      c.tp = tp;
                      c.ep = ep;
                      c.pp = stages;
                      c.max_batch = b;
                      c.experts_follow_tp = moe && ep == 0;
                      c.max_batched_tokens = k;
                      c.policy = pol;
                      c.prefix_cache = pc;
                      c.speculative = sp;
                      if (p == "chunked") c.tokens_key = "serving.token_budget";
                      for (const auto& [pp, dd] : iter ? pds : colocated) {
                        if (pp > 0 && (n / per_replica) % (pp + dd) != 0) continue;
                        Candidate x = c;
                        x.pd_prefill = pp;
                        x.pd_decode = dd;
                        out.push_back(x);
                      }
                      // Pools on their own hardware: no pipeline stages there (not modelled with P/D).
                      if (!iter || plat.node.empty() || stages > 1) continue;
                      for (const Candidate& d : decode_hw)
                        for (int dtp : s.decode_tensor_parallel.empty() ? std::vector<int>{tp} : s.decode_tensor_parallel) {
                          Candidate x = c;
                          x.decode_node = d.decode_node;
                          x.decode_nodes = d.decode_nodes;
                          x.decode_gpu = d.decode_gpu;
                          x.decode_gpus = d.decode_gpus;
                          x.decode_tp = dtp;
                          if (x.decode_gpus_per_replica() > x.decode_gpus || x.decode_gpus % x.decode_gpus_per_replica() != 0) continue;
                          out.push_back(x);
                        }
                    }
              }
        }
  // A decode pool on more nodes of the prefill pool's own kind, with its layout, is a P:D split of one
  // platform of them all: keep that one where the search has it.
  auto split_key = [](const Candidate& c, int nodes) {
    return fmt("%s|%d|%d|%d|%s|%d|%d|%s|%d|%s|%d|%d", c.node.c_str(), nodes, c.tp, c.expert_degree(), c.weights.c_str(), c.max_batch,
               c.max_batched_tokens, c.policy.c_str(), c.prefix_cache, c.speculative.c_str(), c.prefill_replicas(), c.decode_replicas());
  };
  std::set<std::string> splits;
  for (const Candidate& c : out)
    if (c.disaggregated() && !c.own_decode() && !c.node.empty()) splits.insert(split_key(c, c.nodes));
  std::erase_if(out, [&](const Candidate& c) {
    return c.own_decode() && c.decode_node == c.node && c.decode_tp == c.tp && c.decode_expert_degree() == c.expert_degree() &&
           splits.count(split_key(c, c.nodes + c.decode_nodes));
  });
  return out;
}

std::string prune(const Candidate& c, const ModelCard& m, const GpuCard& g, const std::string& base_weights, const GpuCard* decode_gpu) {
  if (!tp_compatible(m, c.tp)) return fmt("tensor parallel %d does not divide %s's attention heads", c.tp, m.id.c_str());
  if (c.own_decode() && !tp_compatible(m, c.decode_tp))
    return fmt("tensor parallel %d does not divide %s's attention heads (decode pool)", c.decode_tp, m.id.c_str());
  for (int e : {c.expert_degree(), c.own_decode() ? c.decode_expert_degree() : 1})
    if (e > 1 && m.moe && m.moe->n_routed_experts % e != 0)
      return fmt("expert parallel %d does not divide %s's %d routed experts", e, m.id.c_str(), m.moe->n_routed_experts);
  const std::string w = c.weights.empty() ? base_weights : c.weights;
  if (c.pp > m.num_hidden_layers)
    return fmt("pipeline parallel %d exceeds %s's %d layers", c.pp, m.id.c_str(), m.num_hidden_layers);
  auto fits = [&](const GpuCard& card, int tp, int ep, int pp, const char* pool) -> std::string {
    ParallelLayout l;
    l.tp = tp;
    l.pp = pp;
    l.ep = ep;
    const double need = weight_bytes_per_gpu(m, parse_weight_precision(w, "recommend"), l);
    if (need <= card.memory_bytes) return "";
    return fmt("does not fit%s: %s weights need %s per GPU at TP %d%s%s, %s has %s", pool, w.c_str(), human_bytes(need).c_str(), tp,
               ep > tp ? fmt(" EP %d", ep).c_str() : "", pp > 1 ? fmt(" PP %d", pp).c_str() : "", card.id.c_str(),
               human_bytes(card.memory_bytes).c_str());
  };
  std::string why = fits(g, c.tp, c.expert_degree(), c.pp, "");
  if (why.empty() && c.own_decode() && decode_gpu) why = fits(*decode_gpu, c.decode_tp, c.decode_expert_degree(), 1, " (decode pool)");
  return why;
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

// One pool of engine instances as the search laid it out.
struct PoolShape {
  int tp = 1, ep = 1, pp = 1, instances = 1;
  int gpus_per_node = 0;  // 0: not known (an implied node holds them all)
  const char* role = "";  // "", "prefill" or "decode"
  int instance_gpus() const { return pp * std::max(tp, ep); }
  // Nodes one instance spans (1 when it fits one node or the node is implied).
  int span() const { return gpus_per_node > 0 && instance_gpus() > gpus_per_node ? instance_gpus() / gpus_per_node : 1; }
};

std::vector<PoolShape> pools_of(const Candidate& c) {
  const int per_node = c.node.empty() ? 0 : c.gpus / c.nodes;
  PoolShape a{c.tp, c.expert_degree(), c.pp, c.replicas(), per_node, ""};
  if (!c.disaggregated()) return {a};
  a.role = "prefill";
  a.instances = c.prefill_replicas();
  PoolShape d = a;
  d.role = "decode";
  d.instances = c.decode_replicas();
  if (c.own_decode()) {
    d.tp = c.decode_tp;
    d.ep = c.decode_expert_degree();
    d.pp = 1;
    d.gpus_per_node = c.decode_gpus / c.decode_nodes;
  }
  return {a, d};
}

// "# N prefill instances:" (or "# N instances behind a router:" when the engine's own data parallelism
// cannot start independent replicas), "# on each of its K nodes" when one spans several, then the command.
std::string launch(const std::vector<PoolShape>& pools, const std::function<std::string(const PoolShape&, bool own_dp)>& command) {
  std::string out;
  for (const PoolShape& p : pools) {
    // An instance whose experts spread beyond its TP already uses the engine's DP inside itself, and a
    // pool's instances run on their own: in both cases one command per instance.
    const bool own_dp = *p.role == 0 && p.instances > 1 && p.ep <= p.tp;
    std::string head;
    if (*p.role) head = fmt("# %d %s instance%s", p.instances, p.role, p.instances > 1 ? "s" : "");
    else if (!own_dp && p.instances > 1) head = fmt("# %d instances behind a router", p.instances);
    if (p.span() > 1) head += fmt("%s%s on %d nodes each", head.empty() ? "# " : "", head.empty() ? "one instance" : ",", p.span());
    if (!head.empty()) out += head + ":\n";
    out += command(p, own_dp) + "\n";
  }
  out.pop_back();
  return out;
}

}  // namespace

namespace {
// The engines' --dtype: the checkpoint's bf16 unless the run priced the activations otherwise (both
// engines take "half" and "float32").
std::string dtype_flag(const Outcome& o) {
  if (o.activations == "fp16") return " --dtype half";
  if (o.activations == "fp32") return " --dtype float32";
  return "";
}
}  // namespace

std::string vllm_command(const Candidate& c, const Outcome& o) {
  std::string rest = dtype_flag(o);
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
  return launch(pools_of(c), [&](const PoolShape& p, bool own_dp) {
    std::string cmd = fmt("vllm serve %s --tensor-parallel-size %d", o.hf_repo.c_str(), p.tp);
    if (p.pp > 1) cmd += fmt(" --pipeline-parallel-size %d", p.pp);
    // vLLM's expert-parallel group is TP x DP: experts beyond TP take attention data parallelism inside the instance.
    if (p.ep > p.tp) cmd += fmt(" --data-parallel-size %d", p.ep / p.tp);
    else if (own_dp) cmd += fmt(" --data-parallel-size %d", p.instances);
    if (p.ep > 1) cmd += " --enable-expert-parallel";
    if (p.span() > 1) cmd += " --distributed-executor-backend ray";  // on a Ray cluster over its nodes
    return cmd + rest + (*p.role ? kv : "") + note;
  });
}

std::string sglang_command(const Candidate& c, const Outcome& o) {
  std::string rest = dtype_flag(o);
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
  return launch(pools_of(c), [&](const PoolShape& p, bool own_dp) {
    // SGLang's --tp counts every GPU of the instance; experts beyond TP mean data-parallel attention.
    std::string cmd = fmt("python -m sglang.launch_server --model-path %s --tp %d", o.hf_repo.c_str(), std::max(p.tp, p.ep));
    if (p.pp > 1) cmd += fmt(" --pp-size %d", p.pp);
    if (p.ep > p.tp) cmd += fmt(" --enable-dp-attention --dp %d", p.ep / p.tp);
    else if (own_dp) cmd += fmt(" --dp %d", p.instances);
    if (p.ep > 1) cmd += fmt(" --ep-size %d", p.ep);
    if (p.span() > 1) cmd += fmt(" --nnodes %d --node-rank <0..%d> --dist-init-addr <first node>:5000", p.span(), p.span() - 1);
    cmd += rest;
    if (*p.role) cmd += fmt(" --disaggregation-mode %s", p.role);
    return cmd + note;
  });
}

}  // namespace dssim
