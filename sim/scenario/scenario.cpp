#include "scenario/scenario.hpp"

#include <filesystem>

#include "config/keys.hpp"
#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

using T = Key::Type;
const Key& kName = declare_key({"", "name", T::text, 0, 0, {}, "", "the file name", "the report's title", ""});
const Key& kDescription = declare_key({"", "description", T::text, 0, 0, {}, "", "none", "one line under the title", ""});
const Key& kModel = declare_key({"model", "name", T::text, 0, 0, {}, "", "name or hf_config", "a model card id (dssim list models)", ""});
const Key& kHfConfig = declare_key({"model", "hf_config", T::text, 0, 0, {}, "", "name or hf_config", "a Hugging Face config.json (Llama, Mistral, Qwen2, Mixtral, DeepSeek), relative to the scenario", ""});
const Key& kWeights = declare_key({"model", "weights", T::text, 0, 0, {}, "", "required", "weight precision: fp32, bf16, fp16, fp8, int8, int4", ""});
const Key& kKv = declare_key({"model", "kv_cache", T::text, 0, 0, {}, "", "bf16", "KV cache precision: fp32, bf16, fp16, fp8, int8", ""});
const Key& kWeightOnly = declare_key({"model", "weight_only", T::boolean, 0, 0, {}, "", "false", "int8/fp8/int4 weights dequantised into 16-bit GEMMs (W8A16, W4A16)", ""});
const Key& kSparsity = declare_key({"model", "sparsity", T::choice, 0, 0, {"none", "2:4"}, "", "none", "a what-if: \"2:4\" prunes every decoder layer's weights to 2 of each 4 for sparse tensor cores (Ampere and later); accuracy is not simulated", ""});
const Key& kGpu = declare_key({"platform", "gpu", T::text, 0, 0, {}, "", "gpu or node", "a GPU card id (dssim list gpus), in an implied node", ""});
const Key& kCount = declare_key({"platform", "count", T::integer, 1, 4096, {}, "GPUs", "1", "GPUs of that kind, with gpu", ""});
const Key& kNode = declare_key({"platform", "node", T::text, 0, 0, {}, "", "gpu or node", "a node file id (dssim list nodes)", ""});
const Key& kNodes = declare_key({"platform", "nodes", T::integer, 1, 4096, {}, "nodes", "1", "copies of the node joined by its network, with node", ""});
// [decode_platform]: the decode pool's own hardware under prefill/decode disaggregation.
const Key& kDecGpu = declare_key({"decode_platform", "gpu", T::text, 0, 0, {}, "", "gpu or node", "the decode pool's GPU card id, in an implied node; the prefill pool then runs on [platform]", "with prefill_replicas and decode_replicas"});
const Key& kDecCount = declare_key({"decode_platform", "count", T::integer, 1, 4096, {}, "GPUs", "1", "GPUs of that kind, with gpu", ""});
const Key& kDecNode = declare_key({"decode_platform", "node", T::text, 0, 0, {}, "", "gpu or node", "the decode pool's node file id; its NICs join the [platform] nodes' fabric", "with prefill_replicas and decode_replicas"});
const Key& kDecNodes = declare_key({"decode_platform", "nodes", T::integer, 1, 4096, {}, "nodes", "1", "copies of that node, with node", ""});
const Key& kDecLink = declare_key({"decode_platform", "link_Gbps", T::number, 0.001, 1e7, {}, "Gb/s", "none (one non-blocking fabric)", "the link joining the decode cluster to the prefill cluster (a datacentre interconnect), per direction, shared by every KV transfer between the pools", ""});
const Key& kDecLinkLatency = declare_key({"decode_platform", "link_latency_us", T::number, 0, 1e6, {}, "us", "0", "latency that link adds to the NICs' (fibre: about 5 us per km)", "link_Gbps"});
const Key& kDecPowerLimit = declare_key({"decode_platform", "power_limit_w", T::number, 1, 1e5, {}, "W", "the decode GPU's limit", "a power cap per decode GPU ([environment] power_limit_w caps the [platform] GPUs)", ""});
const Key& kMaxBatch = declare_key({"serving", "max_batch", T::integer, 1, 1 << 20, {}, "sequences", "256 (streams), no limit (fixed)", "sequences in one iteration", ""});
const Key& kGraphs = declare_key({"serving", "cuda_graphs", T::boolean, 0, 0, {}, "", "true", "decode steps replay captured CUDA graphs", ""});
const Key& kRuntime = declare_key({"serving", "runtime", T::text, 0, 0, {}, "", "pytorch", "the software stack's host costs (platforms/runtimes/)", ""});
const Key& kOffloadWeights = declare_key({"memory", "offload_weights", T::boolean, 0, 0, {}, "", "false", "weights that do not fit stream from host memory every forward pass", ""});
const Key& kOffloadKv = declare_key({"memory", "offload_kv", T::boolean, 0, 0, {}, "", "false", "KV cache that does not fit lives in host memory", ""});
const Key& kGpuLayers = declare_key({"memory", "gpu_layers", T::integer, 0, 1e6, {}, "layers", "all that fit", "decoder layers each GPU keeps; the later ones stream from host memory every forward pass (llama.cpp --n-gpu-layers); implies offload_weights", ""});
const Key& kHostMemoryKind = declare_key({"memory", "host_memory", T::choice, 0, 0, {"pinned", "pageable", "cxl"}, "", "pinned", "offloaded weights and KV in page-locked memory (DMA at the link's rate), pageable memory (copied by the CPU at the host's rate) or the node's CXL memory expanders (their links shared by the node's GPUs)", ""});
const Key& kHostMemory = declare_key({"memory", "host_memory_gib", T::number, 1, 1e6, {}, "GiB", "the node file's", "host memory per node for offload", ""});
const Key& kGpuMemUtil = declare_key({"memory", "gpu_memory_utilization", T::number, 0.01, 1, {}, "", "the runtime's reserve", "share of each GPU's memory the engine may use (vLLM --gpu-memory-utilization); the rest is kept free", ""});
const Key& kEngineKind = declare_key({"engine", "kind", T::choice, 0, 0, {"vllm", "sglang"}, "", "required", "the serving engine whose launch command follows", ""});
const Key& kEngineCommand = declare_key({"engine", "command", T::text, 0, 0, {}, "", "required", "its launch command as you run it (vllm serve ..., python -m sglang.launch_server ...); read, never run", ""});
const Key& kAmbient = declare_key({"environment", "ambient_c", T::number, -40, 70, {}, "C", "25", "room temperature", ""});
const Key& kCooling = declare_key({"environment", "cooling", T::text, 0, 0, {}, "", "the GPU card's", "a cooling profile id (platforms/cooling/)", ""});
const Key& kPowerLimit = declare_key({"environment", "power_limit_w", T::number, 1, 1e5, {}, "W", "the GPU's limit", "a power cap per GPU (what-if)", ""});
const Key& kPowerModel = declare_key({"environment", "power_model", T::choice, 0, 0, {"on", "off"}, "", "on", "off: no power observer, clocks at their maximum (for comparison)", ""});

void read_model(TomlTable& m, Scenario& s) {
  const auto name = m.opt_string(kModel);
  const auto hf = m.opt_string(kHfConfig);
  if (name.has_value() == hf.has_value())
    throw Error(fmt("%s:%d: [model] needs exactly one of 'name' (a model card id) or 'hf_config' (a config.json)",
                    s.file.c_str(), m.line_of(kModel.name)));
  s.model = name.value_or("");
  if (hf) s.hf_config = (std::filesystem::path(s.file).parent_path() / *hf).lexically_normal().string();
  s.weights = parse_weight_precision(m.get_string(kWeights), m.where(kWeights.name));
  s.kv_cache = parse_kv_precision(m.opt_string(kKv).value_or("bf16"), m.where(kKv.name));
  s.weight_only = m.opt_bool(kWeightOnly).value_or(false);
  s.sparse24 = m.opt_choice(kSparsity).value_or("none") == "2:4";
  if (s.weight_only && s.weights != Precision::int8 && s.weights != Precision::fp8 && s.weights != Precision::int4)
    throw Error(fmt("%s: weight_only applies to int8, fp8 or int4 weights, not %s", m.where(kWeightOnly.name).c_str(),
                    to_string(s.weights).c_str()));
  m.finish();
}

// [platform] or [decode_platform]: a GPU card in an implied node, or copies of a node file.
struct PlatformKeys {
  const Key &gpu, &count, &node, &nodes;
};
void read_platform(TomlTable& p, const PlatformKeys& k, const std::string& file, PlatformChoice& out) {
  auto gpu = p.opt_string(k.gpu);
  auto node = p.opt_string(k.node);
  if (gpu && node)
    throw Error(fmt("%s: [%s] takes one of 'gpu' (with 'count') or 'node', not both", p.where(k.node.name).c_str(),
                    k.gpu.table.c_str()));
  if (!gpu && !node)
    throw Error(fmt("%s: [%s] needs one of 'gpu' (a GPU card id, with 'count') or 'node' (a node file id)", file.c_str(),
                    k.gpu.table.c_str()));
  if (gpu) {
    out.gpu = *gpu;
    out.gpu_count = static_cast<int>(p.opt_int(k.count).value_or(1));
    if (p.has(k.nodes.name))
      throw Error(fmt("%s: 'nodes' goes with 'node' (a node file with a network); with 'gpu' use 'count'",
                      p.where(k.nodes.name).c_str()));
    p.allow({k.nodes.name});
  } else {
    out.node = *node;
    out.nodes = static_cast<int>(p.opt_int(k.nodes).value_or(1));
    if (p.has(k.count.name))
      throw Error(fmt("%s: 'count' goes with 'gpu'; a node file sets its own GPU count", p.where(k.count.name).c_str()));
    p.allow({k.count.name});
  }
}

// The platform as the file wrote it, before --set: a price in the file belongs to that hardware.
std::string platform_in_file(const toml::table& doc) {
  const auto* p = doc.get_as<toml::table>("platform");
  if (!p) return "";
  std::string out;
  for (const char* k : {"gpu", "node"})
    if (auto v = p->get_as<std::string>(k)) out += std::string(k) + "=" + v->get() + " ";
  return out;
}

// A GPU-specific price written in the file does not follow --set or a sweep axis to another GPU: the
// run would price an H200 as the file's A100 (the catalogue prices each GPU as itself).
void check_prices_follow_platform(const Scenario& s, const std::string& file_platform) {
  if (!s.cost) return;
  const std::string now = (s.node.empty() ? "gpu=" + s.gpu : "node=" + s.node) + " ";
  if (now == file_platform) return;
  for (const std::string* where : {&s.cost->gpu_price_in_file, &s.cost->cloud_price_in_file, &s.cost->server_price_in_file})
    if (!where->empty())
      throw Error(fmt("%s is a price for the file's platform (%s), but the run's platform is %s: remove it from the file to "
                      "take each GPU's own price from platforms/prices.toml, or set it with --set too",
                      where->c_str(), trim(file_platform).c_str(), trim(now).c_str()));
}

}  // namespace

// Whether one of the --set assignments names `key` ("section.key").
static bool overrides_name(const std::vector<std::string>& overrides, const std::string& key) {
  for (const auto& o : overrides)
    if (trim(o.substr(0, o.find('='))) == key) return true;
  return false;
}

// [engine]: the launch command's flags become the scenario keys they mean. A key the file also sets is
// an error (two sources for one setting); one a --set names wins over the command (sweeps, A/Bs).
static std::optional<EngineCommand> apply_engine_command(toml::table& doc, const std::string& path,
                                                         const std::vector<std::string>& overrides) {
  if (!doc.contains("engine")) return std::nullopt;
  if (!doc["engine"].is_table()) throw Error(path + ": 'engine' must be a table: [engine] kind = ..., command = ...");
  TomlTable e(*doc["engine"].as_table(), path, "engine");
  const std::string kind = e.get_choice(kEngineKind);
  const std::string where = e.where(kEngineCommand.name);
  const std::string command = e.get_string(kEngineCommand);
  e.finish();
  EngineCommand out = translate_engine_command(kind, split_command(command, where), where);
  for (const EngineSetting& st : out.settings) {
    if (st.key.empty() || overrides_name(overrides, st.key)) continue;
    const auto dot = st.key.find('.');
    const std::string table = st.key.substr(0, dot), key = st.key.substr(dot + 1);
    if (const toml::table* t = doc[table].as_table(); t && t->contains(key)) {
      const unsigned line = static_cast<unsigned>((*t->get(key)).source().begin.line);
      throw Error(fmt("%s:%u: [%s] %s is also set by the [engine] command (%s); keep one of them", path.c_str(), line,
                      table.c_str(), key.c_str(), st.flag.c_str()));
    }
    apply_override(doc, st.key + "=" + st.value);
  }
  doc.erase("engine");
  return out;
}

// A --set that names the platform's other form (gpu where the file names a node, or node where it names
// a gpu) replaces the file's form: the file's count or nodes goes with it. Naming both forms by --set
// stays an error (read_platform says so).
static void switch_platform_form(toml::table& doc, const std::vector<std::string>& overrides) {
  for (const char* table : {"platform", "decode_platform"}) {
    auto set = [&](const char* key) { return overrides_name(overrides, std::string(table) + "." + key); };
    toml::table* t = doc[table].as_table();
    if (!t) continue;
    if (set("node") && !set("gpu")) {
      t->erase("gpu");
      t->erase("count");
    } else if (set("gpu") && !set("node")) {
      t->erase("node");
      t->erase("nodes");
    }
  }
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  auto doc = TomlTable::parse_file(path);
  const std::string file_platform = platform_in_file(*doc);
  switch_platform_form(*doc, overrides);
  // A --set of the engine's own keys changes the command before it is read; the others apply after it.
  auto engine_key = [](const std::string& o) { return o.rfind("engine.", 0) == 0; };
  for (const auto& o : overrides)
    if (engine_key(o)) apply_override(*doc, o);
  std::optional<EngineCommand> engine = apply_engine_command(*doc, path, overrides);
  for (const auto& o : overrides)
    if (!engine_key(o)) apply_override(*doc, o);
  TomlTable t(*doc, path, "");
  Scenario s;
  std::string decode_where;
  s.file = path;
  s.engine = std::move(engine);
  s.overrides = overrides;
  s.name = t.opt_string(kName).value_or(path);
  s.description = t.opt_string(kDescription).value_or("");
  auto m = t.get_table("model");
  read_model(m, s);
  auto p = t.get_table("platform");
  PlatformChoice main;
  read_platform(p, {kGpu, kCount, kNode, kNodes}, s.file, main);
  p.finish();
  s.gpu = main.gpu;
  s.node = main.node;
  s.gpu_count = main.gpu_count;
  s.nodes = main.nodes;
  if (auto d = t.opt_table("decode_platform")) {
    PlatformChoice dec;
    read_platform(*d, {kDecGpu, kDecCount, kDecNode, kDecNodes}, s.file, dec);
    s.decode_platform = dec;
    s.decode_power_limit_w = d->opt_number(kDecPowerLimit);
    s.decode_link_Gbps = d->opt_number(kDecLink).value_or(0);
    if (d->has(kDecLinkLatency.name) && s.decode_link_Gbps == 0)
      throw Error(fmt("%s: link_latency_us is the latency of the clusters' link: give link_Gbps too", d->where(kDecLinkLatency.name).c_str()));
    s.decode_link_latency_us = d->opt_number(kDecLinkLatency).value_or(0);
    d->finish();
    decode_where = d->where(dec.node.empty() ? kDecGpu.name : kDecNode.name);
  }
  auto w = t.get_table("workload");
  s.workload = read_workload(w, std::filesystem::path(s.file).parent_path().string());
  w.finish();
  if (auto sv = t.opt_table("serving")) {
    s.serving.max_batch = static_cast<int>(sv->opt_int(kMaxBatch).value_or(s.serving_run() ? s.serving.max_batch : 1 << 20));
    s.cuda_graphs = sv->opt_bool(kGraphs).value_or(true);
    s.runtime = sv->opt_string(kRuntime).value_or(kDefaultRuntime);
    read_serving(*sv, s.serving);
    s.parallel = read_layout(*sv);
    if (s.workload.kind == WorkloadSpec::Kind::fixed && s.workload.batch > s.serving.max_batch)
      throw Error(fmt("%s: batch %d is larger than [serving] max_batch %d", w.where("batch").c_str(), s.workload.batch,
                      s.serving.max_batch));
    sv->finish();
  }
  if (auto c = t.opt_table("cost")) s.cost = read_cost(*c);
  if (auto slo = t.opt_table("slo")) {
    s.slo = read_slo(*slo);
    if (s.slo.goodput_fraction && !s.serving.slo_ttft_s && !s.serving.slo_tpot_s)
      throw Error(fmt("%s: goodput_fraction is the share of requests meeting [serving] slo_ttft_s and slo_tpot_s; "
                      "set at least one of them", slo->where("goodput_fraction").c_str()));
  }
  if (auto mem = t.opt_table("memory")) {
    const std::optional<bool> offload_weights = mem->opt_bool(kOffloadWeights);
    s.offload_weights = offload_weights.value_or(false);
    if (auto n = mem->opt_int(kGpuLayers)) {
      if (offload_weights == false)
        throw Error(fmt("%s: gpu_layers = %lld streams the other layers' weights from host memory, which "
                        "offload_weights = false forbids: remove one of the two keys",
                        mem->where("gpu_layers").c_str(), *n));
      s.gpu_layers = static_cast<int>(*n);
      s.offload_weights = true;
    }
    const std::string kind = mem->opt_choice(kHostMemoryKind).value_or("pinned");
    s.pageable_host = kind == "pageable";
    s.cxl_host = kind == "cxl";
    s.offload_kv = mem->opt_bool(kOffloadKv).value_or(false);
    s.host_memory_bytes = mem->opt_number(kHostMemory).value_or(0.0) * 1024.0 * 1024.0 * 1024.0;
    s.gpu_memory_utilization = mem->opt_number(kGpuMemUtil);
    mem->finish();
  }
  if (auto e = t.opt_table("environment")) {
    s.ambient_c = e->opt_number(kAmbient).value_or(25.0);
    s.cooling = e->opt_string(kCooling).value_or("");
    if (auto lim = e->opt_number(kPowerLimit)) s.power_limit_w = *lim;
    s.power_model = e->opt_choice(kPowerModel).value_or("on") == "on";
    e->finish();
  }
  t.finish();
  if (s.decode_platform) {
    if (!s.serving.disaggregated() || !s.serving_run())
      throw Error(fmt("%s: [decode_platform] is the decode pool's hardware under prefill/decode disaggregation: it needs a "
                      "request stream and [serving] prefill_replicas and decode_replicas", decode_where.c_str()));
    if (s.cost && (s.cost->gpu_price_usd || s.cost->cloud_usd_per_gpu_hour || s.cost->server_usd_per_gpu))
      throw Error(fmt("%s: with [decode_platform] the deployment has two kinds of GPU, and [cost] gpu_price_usd, "
                      "cloud_usd_per_gpu_hour and server_usd_per_gpu would price both alike: remove them to take each "
                      "GPU's own prices from platforms/prices.toml", decode_where.c_str()));
  }
  check_prices_follow_platform(s, file_platform);
  return s;
}

}  // namespace dssim
