#include "config/scenario.hpp"

#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {
CostInputs read_cost(TomlTable& c) {
  CostInputs k;
  k.gpu_price_usd = c.get_number("gpu_price_usd", 0, 1e9);
  k.depreciation_months = c.get_number("depreciation_months", 1, 1200);
  k.cloud_usd_per_gpu_hour = c.get_number("cloud_usd_per_gpu_hour", 0, 1e6);
  k.electricity_usd_per_kwh = c.get_number("electricity_usd_per_kwh", 0, 100);
  k.pue = c.get_number("pue", 1.0, 10.0);
  k.utilization = c.get_number("utilization", 0.0, 1.0);
  k.horizon_months = c.get_number("horizon_months", 1, 1200);
  c.finish();
  return k;
}
}  // namespace

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  auto doc = TomlTable::parse_file(path);
  for (const auto& o : overrides) apply_override(*doc, o);
  TomlTable t(*doc, path, "");
  Scenario s;
  s.file = path;
  s.name = t.opt_string("name").value_or(path);
  s.description = t.opt_string("description").value_or("");

  auto m = t.get_table("model");
  s.model = m.get_string("name");
  s.weights = parse_precision(m.get_string("weights"), m.where("weights"));
  s.kv_cache = parse_precision(m.opt_string("kv_cache").value_or("bf16"), m.where("kv_cache"));
  if (s.weights == Precision::tf32) throw Error(fmt("%s: tf32 is a compute mode, not a storage format; use fp32", m.where("weights").c_str()));
  if (s.kv_cache == Precision::tf32 || s.kv_cache == Precision::int4)
    throw Error(fmt("%s: KV cache precision must be fp32, bf16, fp16, fp8 or int8", m.where("kv_cache").c_str()));
  m.finish();

  auto p = t.get_table("platform");
  auto gpu = p.opt_string("gpu");
  auto node = p.opt_string("node");
  if (gpu.has_value() == node.has_value())
    throw Error(fmt("%s:%d: [platform] needs exactly one of 'gpu' (with 'count') or 'node'", path.c_str(), p.line_of("gpu")));
  if (gpu) {
    s.gpu = *gpu;
    s.gpu_count = static_cast<int>(p.opt_int("count", 1, 4096).value_or(1));
  } else {
    s.node = *node;
    if (p.has("count")) throw Error(fmt("%s: 'count' goes with 'gpu'; a node file sets its own GPU count", p.where("count").c_str()));
    p.allow({"count"});
  }
  p.finish();

  if (auto sv = t.opt_table("serving")) {
    s.max_batch = static_cast<int>(sv->opt_int("max_batch", 1, 1 << 20).value_or(1 << 20));
    s.cuda_graphs = sv->opt_bool("cuda_graphs").value_or(true);
    s.tensor_parallel = static_cast<int>(sv->opt_int("tensor_parallel", 1, 4096).value_or(1));
    s.runtime = sv->opt_string("runtime").value_or(kDefaultRuntime);
    sv->finish();
  }

  auto w = t.get_table("workload");
  s.batch = static_cast<int>(w.get_int("batch", 1, 1 << 20));
  s.prompt_tokens = w.get_int("prompt_tokens", 1, 1LL << 30);
  s.output_tokens = w.get_int("output_tokens", 1, 1LL << 30);
  if (auto c = w.opt_int("context", 1, 1LL << 30)) s.context = *c;
  if (t.has("serving") && s.batch > s.max_batch)
    throw Error(fmt("%s: batch %d is larger than [serving] max_batch %d", w.where("batch").c_str(), s.batch, s.max_batch));
  w.finish();

  if (auto c = t.opt_table("cost")) s.cost = read_cost(*c);
  t.finish();
  return s;
}

}  // namespace dssim
