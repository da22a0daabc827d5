#include "scenario/engine_command.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::vector<std::string> split_command(const std::string& command, const std::string& where) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char ch = command[i];
    if (quote) {
      if (ch == quote) {
        quote = 0;
      } else if (ch == '\\' && quote == '"' && i + 1 < command.size() && (command[i + 1] == '"' || command[i + 1] == '\\')) {
        cur += command[++i];
      } else {
        cur += ch;
      }
      continue;
    }
    if (ch == '\\' && i + 1 < command.size()) {
      const char next = command[++i];
      if (next == '\n') continue;  // a continued line
      cur += next;
      in_word = true;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      in_word = true;
    } else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
      if (in_word) words.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += ch;
      in_word = true;
    }
  }
  if (quote) throw Error(fmt("%s: the command has an unclosed %c quote", where.c_str(), quote));
  if (in_word) words.push_back(cur);
  if (words.empty()) throw Error(fmt("%s: the command is empty", where.c_str()));
  return words;
}

namespace {

// What a flag does. `value` is false for a switch (--enforce-eager).
struct Ctx;
struct Flag {
  std::vector<std::string> names;  // "--max-num-seqs" and aliases ("-tp")
  bool value = true;
  std::function<void(Ctx&, const std::string& written, const std::string& v)> apply;
};

struct Ctx {
  std::string where, kind;
  EngineCommand out;
  int tp = 1, dp = 1, ep = 0;
  bool expert_parallel = false, dp_attention = false;
  std::optional<bool> chunked, prefix;
  std::optional<long long> budget;
  bool seqs_given = false, memory_given = false, block_given = false;
  std::optional<std::string> spec_method;  // mtp | draft
  std::optional<long long> spec_tokens;
  std::string spec_draft;
  std::vector<std::string> par_flags, spec_flags;  // as written, for the report
  std::string written_or(const std::vector<std::string>& v, const std::string& fallback) const {
    return v.empty() ? fallback : join(v, " ");
  }

  [[noreturn]] void fail(const std::string& written, const std::string& what) const {
    throw Error(fmt("%s: %s: %s", where.c_str(), written.c_str(), what.c_str()));
  }
  long long integer(const std::string& written, const std::string& v, long long lo, long long hi) const {
    long long x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size() || x < lo || x > hi)
      fail(written, fmt("expected an integer in %lld .. %lld, got '%s'", lo, hi, v.c_str()));
    return x;
  }
  double number(const std::string& written, const std::string& v, double lo, double hi) const {
    double x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(x) || x < lo || x > hi)
      fail(written, fmt("expected a number in %g .. %g, got '%s'", lo, hi, v.c_str()));
    return x;
  }
  void set(const std::string& written, const std::string& key, const std::string& value, const std::string& note = "") {
    out.settings.push_back({written, key, value, note});
  }
  void note(const std::string& written, const std::string& why) { out.settings.push_back({written, "", "", why}); }
};

std::string toml_str(const std::string& s) { return "\"" + s + "\""; }

Flag ignore(std::vector<std::string> names, bool value) {
  return {std::move(names), value, [](Ctx& c, const std::string& w, const std::string&) { c.out.ignored.push_back(w); }};
}
Flag noted(std::vector<std::string> names, bool value, std::string why) {
  return {std::move(names), value, [why](Ctx& c, const std::string& w, const std::string&) { c.note(w, why); }};
}

void kv_dtype(Ctx& c, const std::string& w, const std::string& v) {
  if (v == "auto") return c.note(w, "the KV cache in the model's precision: [model] kv_cache as the scenario says");
  if (v == "fp8" || v == "fp8_e4m3" || v == "fp8_e5m2") return c.set(w, "model.kv_cache", toml_str("fp8"));
  c.fail(w, "expected auto, fp8, fp8_e4m3 or fp8_e5m2, got '" + v + "'");
}

void quantization(Ctx& c, const std::string& w, const std::string& v) {
  if (v == "fp8") return c.set(w, "model.weights", toml_str("fp8"));
  c.fail(w, "dssim reads fp8 here; for '" + v + "' checkpoints set [model] weights (int8, int4) and weight_only");
}

std::vector<Flag> vllm_flags() {
  return {
      {{"--model"}, true, [](Ctx& c, const std::string&, const std::string& v) { c.out.model = v; }},
      {{"--tensor-parallel-size", "-tp"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.tp = static_cast<int>(c.integer(w, v, 1, 4096)); c.par_flags.push_back(w); }},
      {{"--pipeline-parallel-size", "-pp"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.set(w, "serving.pipeline_parallel", std::to_string(c.integer(w, v, 1, 4096))); }},
      {{"--data-parallel-size", "-dp"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.dp = static_cast<int>(c.integer(w, v, 1, 4096)); c.par_flags.push_back(w); }},
      {{"--enable-expert-parallel"}, false, [](Ctx& c, const std::string& w, const std::string&) { c.expert_parallel = true; c.par_flags.push_back(w); }},
      {{"--max-num-seqs"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.set(w, "serving.max_batch", std::to_string(c.integer(w, v, 1, 1 << 20))); c.seqs_given = true; }},
      {{"--max-num-batched-tokens"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.budget = c.integer(w, v, 1, 1LL << 30); }},
      {{"--enable-chunked-prefill"}, false, [](Ctx& c, const std::string&, const std::string&) { c.chunked = true; }},
      {{"--no-enable-chunked-prefill"}, false, [](Ctx& c, const std::string&, const std::string&) { c.chunked = false; }},
      {{"--enable-prefix-caching"}, false, [](Ctx& c, const std::string&, const std::string&) { c.prefix = true; }},
      {{"--no-enable-prefix-caching"}, false, [](Ctx& c, const std::string&, const std::string&) { c.prefix = false; }},
      {{"--block-size"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.set(w, "serving.block_size", std::to_string(c.integer(w, v, 1, 1 << 20))); c.block_given = true; }},
      {{"--gpu-memory-utilization"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.set(w, "memory.gpu_memory_utilization", fmt("%.9g", c.number(w, v, 0.01, 1.0))); c.memory_given = true; }},
      {{"--kv-cache-dtype"}, true, kv_dtype},
      {{"--quantization", "-q"}, true, quantization},
      {{"--enforce-eager"}, false, [](Ctx& c, const std::string& w, const std::string&) { c.set(w, "serving.cuda_graphs", "false"); }},
      {{"--cpu-offload-gb"}, true, [](Ctx& c, const std::string& w, const std::string& v) {
         if (c.number(w, v, 0, 1e6) > 0)
           c.set(w, "memory.offload_weights", "true", "dssim offloads whole layers until the model fits, not a fixed size");
       }},
      {{"--speculative-config"}, true, [](Ctx& c, const std::string& w, const std::string& v) {
         nlohmann::json j;
         try {
           j = nlohmann::json::parse(v);
         } catch (const nlohmann::json::exception&) {
           c.fail(w, "expected a JSON object, as {\"method\": \"deepseek_mtp\", \"num_speculative_tokens\": 1}");
         }
         if (!j.is_object()) c.fail(w, "expected a JSON object");
         c.spec_flags.push_back(w);
         // Every field is checked for its type first: a number where a string belongs is the user's error.
         if (j.contains("num_speculative_tokens")) {
           if (!j["num_speculative_tokens"].is_number_integer())
             c.fail(w, "num_speculative_tokens: expected an integer, got " + j["num_speculative_tokens"].dump());
           c.spec_tokens = j["num_speculative_tokens"].get<long long>();
         }
         if (j.contains("method") && !j["method"].is_string())
           c.fail(w, "method: expected a string such as \"deepseek_mtp\", got " + j["method"].dump());
         if (j.contains("model") && !j["model"].is_string())
           c.fail(w, "model: expected a model name, got " + j["model"].dump());
         const std::string method = j.contains("method") ? j["method"].get<std::string>() : std::string();
         if (method == "deepseek_mtp" || method == "mtp") {
           c.spec_method = "mtp";
         } else if (j.contains("model")) {
           c.spec_method = "draft";
           c.spec_draft = j["model"].get<std::string>();
         } else {
           c.fail(w, "dssim models method deepseek_mtp and a draft model (\"model\"); got " + j.dump());
         }
       }},
      {{"--enable-eplb"}, false, [](Ctx& c, const std::string& w, const std::string&) {
         c.set(w, "serving.expert_placement", toml_str("balanced"), "EPLB packs experts by load; dssim by the routing skew's shares");
       }},
      {{"--num-redundant-experts"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.set(w, "serving.redundant_experts", std::to_string(c.integer(w, v, 0, 4096))); }},
      {{"--kv-transfer-config"}, true, [](Ctx& c, const std::string& w, const std::string&) {
         c.fail(w, "one launch command describes one pool; describe a prefill/decode split with [serving] "
                   "prefill_replicas and decode_replicas (docs/disaggregation.md)");
       }},
      noted({"--max-model-len"}, true, "no effect on speed; dssim warns about requests beyond the model's trained context"),
      noted({"--swap-space"}, true, "vLLM V1 preempts by recompute, as dssim does; swap space is unused"),
      noted({"--dtype"}, true, "activations follow the weights' precision in dssim"),
      noted({"--disable-custom-all-reduce"}, false, "dssim prices all-reduce with NCCL's closed forms either way"),
      ignore({"--host", "--port", "--served-model-name", "--api-key", "--download-dir", "--uvicorn-log-level", "--seed",
              "--tokenizer", "--tokenizer-mode", "--chat-template", "--generation-config", "--reasoning-parser",
              "--tool-call-parser", "--max-logprobs", "--load-format", "--distributed-executor-backend", "--revision",
              "--root-path", "--hf-token", "--ssl-keyfile", "--ssl-certfile", "--response-role", "--config"},
             true),
      ignore({"--trust-remote-code", "--disable-log-requests", "--disable-log-stats", "--enable-auto-tool-choice",
              "--enable-log-requests", "--disable-fastapi-docs"},
             false),
  };
}

std::vector<Flag> sglang_flags() {
  return {
      {{"--model-path", "--model"}, true, [](Ctx& c, const std::string&, const std::string& v) { c.out.model = v; }},
      {{"--tp-size", "--tp"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.tp = static_cast<int>(c.integer(w, v, 1, 4096)); c.par_flags.push_back(w); }},
      {{"--dp-size", "--dp"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.dp = static_cast<int>(c.integer(w, v, 1, 4096)); c.par_flags.push_back(w); }},
      {{"--enable-dp-attention"}, false, [](Ctx& c, const std::string& w, const std::string&) { c.dp_attention = true; c.par_flags.push_back(w); }},
      {{"--ep-size", "--ep", "--expert-parallel-size"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.ep = static_cast<int>(c.integer(w, v, 1, 4096)); c.par_flags.push_back(w); }},
      {{"--enable-ep-moe"}, false, [](Ctx& c, const std::string& w, const std::string&) { c.expert_parallel = true; c.par_flags.push_back(w); }},
      {{"--chunked-prefill-size"}, true, [](Ctx& c, const std::string& w, const std::string& v) {
         const long long x = c.integer(w, v, -1, 1LL << 30);
         if (x <= 0) c.chunked = false;
         else {
           c.chunked = true;
           c.budget = x;
         }
       }},
      {{"--max-running-requests"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.set(w, "serving.max_batch", std::to_string(c.integer(w, v, 1, 1 << 20))); c.seqs_given = true; }},
      {{"--mem-fraction-static"}, true, [](Ctx& c, const std::string& w, const std::string& v) {
         c.set(w, "memory.gpu_memory_utilization", fmt("%.9g", c.number(w, v, 0.01, 1.0)),
               "SGLang's static share (weights + KV); dssim also counts the largest iteration's activations inside it");
         c.memory_given = true;
       }},
      {{"--page-size"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.set(w, "serving.block_size", std::to_string(c.integer(w, v, 1, 1 << 20))); c.block_given = true; }},
      {{"--disable-radix-cache"}, false, [](Ctx& c, const std::string&, const std::string&) { c.prefix = false; }},
      {{"--kv-cache-dtype"}, true, kv_dtype},
      {{"--quantization"}, true, quantization},
      {{"--disable-cuda-graph"}, false, [](Ctx& c, const std::string& w, const std::string&) { c.set(w, "serving.cuda_graphs", "false"); }},
      {{"--enable-two-batch-overlap"}, false, [](Ctx& c, const std::string& w, const std::string&) { c.set(w, "serving.two_batch_overlap", "true"); }},
      {{"--enable-deepep-moe"}, false, [](Ctx& c, const std::string& w, const std::string&) {
         c.set(w, "serving.dispatch_dtype", toml_str("fp8"), "DeepEP dispatches in fp8");
         c.set(w, "serving.ep_a2a", toml_str("deepep"), "DeepEP's kernels: normal in prefill, low-latency in decode");
       }},
      {{"--moe-a2a-backend"}, true, [](Ctx& c, const std::string& w, const std::string& v) {
         if (v == "deepep") {
           c.set(w, "serving.dispatch_dtype", toml_str("fp8"), "DeepEP dispatches in fp8");
           c.set(w, "serving.ep_a2a", toml_str("deepep"), "DeepEP's kernels: normal in prefill, low-latency in decode");
         } else {
           c.note(w, "dssim prices the all-to-all with its closed form");
         }
       }},
      {{"--deepep-mode"}, true, [](Ctx& c, const std::string& w, const std::string& v) {
         if (v != "auto" && v != "normal" && v != "low_latency") c.fail(w, "expected auto, normal or low_latency, got '" + v + "'");
         c.note(w, v == "auto" ? "DeepEP's normal kernels in prefill, low-latency ones in decode"
                               : "dssim runs DeepEP as --deepep-mode auto (normal kernels in prefill, low-latency ones in decode)");
       }},
      {{"--speculative-algorithm"}, true, [](Ctx& c, const std::string& w, const std::string& v) {
         if (v != "EAGLE" && v != "NEXTN" && v != "EAGLE3") c.fail(w, "dssim models EAGLE and NEXTN (DeepSeek's MTP module), got '" + v + "'");
         c.spec_method = "mtp";
         c.spec_flags.push_back(w);
       }},
      {{"--speculative-num-steps"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.spec_tokens = c.integer(w, v, 1, 16); c.spec_flags.push_back(w); }},
      {{"--speculative-eagle-topk"}, true, [](Ctx& c, const std::string& w, const std::string& v) {
         if (c.integer(w, v, 1, 64) != 1) c.fail(w, "token trees (topk > 1) are not modelled, only a chain of drafts (topk 1)");
       }},
      noted({"--speculative-num-draft-tokens"}, true, "a chain of drafts verifies num_steps + 1 positions"),
      {{"--disaggregation-mode"}, true, [](Ctx& c, const std::string& w, const std::string&) {
         c.fail(w, "one launch command describes one pool; describe a prefill/decode split with [serving] "
                   "prefill_replicas and decode_replicas (docs/disaggregation.md)");
       }},
      {{"--enable-eplb"}, false, [](Ctx& c, const std::string& w, const std::string&) {
         c.set(w, "serving.expert_placement", toml_str("balanced"), "EPLB packs experts by load; dssim by the routing skew's shares");
       }},
      {{"--ep-num-redundant-experts"}, true, [](Ctx& c, const std::string& w, const std::string& v) { c.set(w, "serving.redundant_experts", std::to_string(c.integer(w, v, 0, 4096))); }},
      noted({"--cuda-graph-max-bs"}, true, "dssim captures a graph for every decode batch size"),
      noted({"--context-length"}, true, "no effect on speed; dssim warns about requests beyond the model's trained context"),
      noted({"--schedule-policy"}, true, "dssim admits first come, first served"),
      noted({"--attention-backend"}, true, "dssim's attention cost is the calibrated kernels'"),
      noted({"--nnodes"}, true, "the nodes come from [platform]"),
      ignore({"--host", "--port", "--served-model-name", "--api-key", "--log-level", "--tokenizer-path", "--chat-template",
              "--download-dir", "--random-seed", "--reasoning-parser", "--tool-call-parser", "--dist-init-addr",
              "--node-rank", "--revision", "--tokenizer-mode", "--load-format"},
             true),
      ignore({"--trust-remote-code", "--log-requests", "--enable-metrics", "--skip-tokenizer-init", "--disable-log-stats"}, false),
  };
}

std::vector<Flag> flags_of(const std::string& kind, const std::string& where) {
  if (kind == "vllm") return vllm_flags();
  if (kind == "sglang") return sglang_flags();
  throw Error(fmt("%s: unknown engine '%s'; expected vllm or sglang", where.c_str(), kind.c_str()));
}

// Skips the program: environment assignments (CUDA_VISIBLE_DEVICES=0,1), then `vllm serve [MODEL]`,
// `python -m module` or one program name.
std::size_t first_flag(Ctx& c, const std::vector<std::string>& w) {
  std::size_t i = 0;
  while (i < w.size() && w[i][0] != '-' && w[i].find('=') != std::string::npos) c.out.ignored.push_back(w[i++]);
  if (i >= w.size() || w[i][0] == '-') return i;
  const std::string program = w[i++];
  if (i < w.size() && w[i] == "serve") {
    ++i;
    if (i < w.size() && w[i][0] != '-') c.out.model = w[i++];
  } else if (program.rfind("python", 0) == 0 && i + 1 < w.size() && w[i] == "-m") {
    i += 2;
  }
  return i;
}

void finish_vllm(Ctx& c) {
  const std::string par = c.written_or(c.par_flags, "(default: TP 1)");
  if (c.expert_parallel) {
    // One engine, its experts over TP x DP ranks, attention data-parallel over the DP ranks.
    c.set(par, "serving.tensor_parallel", std::to_string(c.tp));
    c.set(par, "serving.expert_parallel", std::to_string(c.tp * c.dp),
          c.dp > 1 ? "experts over TP x DP ranks, attention data-parallel over the DP ranks" : "");
  } else {
    c.set(par, "serving.tensor_parallel", std::to_string(c.tp));
    if (c.dp > 1) c.set(par, "serving.replicas", std::to_string(c.dp), "data-parallel engines: whole copies");
  }
  const bool chunked = c.chunked.value_or(true);
  c.set(c.chunked ? (chunked ? "--enable-chunked-prefill" : "--no-enable-chunked-prefill") : "(default: chunked prefill on, V1)",
        "serving.policy", toml_str(chunked ? "chunked" : "continuous"));
  if (c.budget)
    c.set(fmt("--max-num-batched-tokens %lld", *c.budget), chunked ? "serving.token_budget" : "serving.max_batched_tokens",
          std::to_string(*c.budget));
  c.out.gpu_dependent_batch_defaults = !c.budget || !c.seqs_given;
  if (!c.memory_given) c.set("(default --gpu-memory-utilization 0.9)", "memory.gpu_memory_utilization", "0.9");
  if (!c.block_given) c.set("(default --block-size 16)", "serving.block_size", "16");
  if (c.prefix.value_or(false)) c.set("--enable-prefix-caching", "serving.prefix_cache", "true");
  c.out.prefix_cache_by_default = !c.prefix.has_value();
}

void finish_sglang(Ctx& c) {
  const std::string par = c.written_or(c.par_flags, "(default: TP 1)");
  if (c.dp_attention) {
    if (c.tp % c.dp != 0) c.fail(par, "the tensor-parallel size must be a multiple of the data-parallel size");
    c.set(par, "serving.tensor_parallel", std::to_string(c.tp / c.dp),
          "attention data-parallel over the DP ranks");
    c.set(par, "serving.expert_parallel", std::to_string(std::max(c.ep, c.tp)),
          "the MoE layers over all TP ranks (dssim runs them expert-parallel)");
  } else {
    c.set(par, "serving.tensor_parallel", std::to_string(c.tp));
    if (c.ep > 1 || c.expert_parallel) c.set(par, "serving.expert_parallel", std::to_string(std::max(c.ep, c.tp)));
    if (c.dp > 1) c.set(par, "serving.replicas", std::to_string(c.dp), "data-parallel engines: whole copies");
  }
  const bool chunked = c.chunked.value_or(true);
  if (chunked)
    c.set(c.budget ? fmt("--chunked-prefill-size %lld", *c.budget) : "(default: chunked prefill)",
          "serving.policy", toml_str("chunked"));
  else
    c.set("--chunked-prefill-size -1", "serving.policy", toml_str("continuous"));
  if (chunked) c.set(c.budget ? fmt("--chunked-prefill-size %lld", *c.budget) : "(default --chunked-prefill-size)", "serving.token_budget",
                     std::to_string(c.budget.value_or(8192)),
                     c.budget ? "" : "SGLang picks it from the GPU's memory (8192 on 80-GB-class GPUs); pass the flag to be exact");
  if (!c.block_given) c.set("(default --page-size 1)", "serving.block_size", "1");
  // SGLang's DeepSeek guide: "The default value of --max-running-requests is set to 48 for MTP".
  if (c.spec_method && !c.seqs_given) c.set("(default --max-running-requests with MTP)", "serving.max_batch", "48");
  c.out.prefix_cache_by_default = !c.prefix.has_value();
}

}  // namespace

EngineCommand translate_engine_command(const std::string& kind, const std::vector<std::string>& words,
                                       const std::string& where) {
  const std::vector<Flag> table = flags_of(kind, where);
  Ctx c;
  c.where = where;
  c.kind = kind;
  c.out.kind = kind;
  std::map<std::string, const Flag*> by_name;
  std::vector<std::string> names;
  for (const Flag& f : table)
    for (const std::string& n : f.names) {
      by_name[n] = &f;
      names.push_back(n);
    }
  std::size_t i = first_flag(c, words);
  for (; i < words.size(); ++i) {
    std::string w = words[i];
    if (w.empty() || w[0] != '-') {
      if (c.out.model.empty() && kind == "vllm") {
        c.out.model = w;
        continue;
      }
      c.fail(w, "expected a flag (--name), got a stray word");
    }
    std::string name = w, value;
    const std::size_t eq = w.find('=');
    if (eq != std::string::npos) {
      name = w.substr(0, eq);
      value = w.substr(eq + 1);
    }
    // vLLM's parser takes --max_num_seqs for --max-num-seqs
    if (name.rfind("--", 0) == 0) std::replace(name.begin() + 2, name.end(), '_', '-');
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      const std::string guess = closest(name, names);
      c.fail(name, fmt("not a %s flag dssim knows%s (dssim help engines lists them)", kind.c_str(),
                       guess.empty() ? "" : fmt("; did you mean '%s'?", guess.c_str()).c_str()));
    }
    const Flag& f = *it->second;
    std::string written = name;
    if (f.value) {
      if (eq == std::string::npos) {
        if (i + 1 >= words.size()) c.fail(name, "expects a value");
        value = words[++i];
      }
      written += " " + value;
    } else if (eq != std::string::npos) {
      c.fail(name, "is a switch; it takes no value");
    }
    f.apply(c, written, value);
  }
  if (kind == "vllm") finish_vllm(c);
  else finish_sglang(c);
  // Both run their own kernels around the GEMMs and attention (rotary, fused add + RMSNorm, SiLU-and-mul,
  // the KV cache write), not PyTorch's unfused element-wise ops on strided views.
  c.set(kind == "vllm" ? "(vLLM's fused kernels)" : "(SGLang's fused kernels)", "serving.runtime", toml_str("fused"),
        "platforms/runtimes/fused.toml");
  if (c.spec_method) {
    const std::string spec = c.written_or(c.spec_flags, "speculative decoding");
    c.set(spec, "serving.speculative", toml_str(*c.spec_method));
    if (c.spec_tokens) c.set(spec, "serving.speculative_tokens", std::to_string(*c.spec_tokens));
    if (*c.spec_method == "draft") c.set(spec, "serving.draft_model", toml_str(c.spec_draft),
                                         "the draft model's dssim id (dssim list models)");
  }
  return c.out;
}

std::vector<std::string> engine_flags(const std::string& kind) {
  std::vector<std::string> out;
  for (const Flag& f : flags_of(kind, "engine")) out.push_back(join(f.names, ", "));
  return out;
}

}  // namespace dssim
