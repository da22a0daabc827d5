#include "config/runtime_profile.hpp"

#include "config/toml_table.hpp"

namespace dssim {

RuntimeProfile load_runtime_profile(const std::string& path) {
  auto doc = TomlTable::parse_file(path);
  TomlTable t(*doc, path, "");
  RuntimeProfile r;
  r.file = path;
  r.id = t.get_string("id");
  r.name = t.get_string("name");
  r.source = t.get_string("source");
  r.host_speed_scale = t.opt_number("host_speed_scale", 0.01, 100).value_or(1.0);
  r.fused_kernels = t.opt_bool("fused_kernels").value_or(false);
  auto h = t.get_table("host_us");
  r.elementwise_s = h.get_number("elementwise", 0, 1e6) * 1e-6;
  r.gemm_s = h.get_number("gemm", 0, 1e6) * 1e-6;
  r.attention_mha_s = h.get_number("attention_mha", 0, 1e6) * 1e-6;
  r.attention_gqa_s = h.get_number("attention_gqa", 0, 1e6) * 1e-6;
  r.view_s = h.get_number("view", 0, 1e6) * 1e-6;
  r.python_op_s = h.opt_number("python_op", 0, 1e6).value_or(0) * 1e-6;
  r.graph_launch_s = h.get_number("graph_launch", 0, 1e6) * 1e-6;
  h.finish();
  if (auto g = t.opt_table("gpu_us")) {
    r.kernel_in_model_s = g->get_number("kernel_in_model", 0, 1e3) * 1e-6;
    g->finish();
  }
  if (auto e = t.opt_table("elementwise")) {
    r.strided_outputs_per_sm_cycle = e->get_number("strided_outputs_per_sm_cycle", 0.01, 1e3);
    e->finish();
  }
  auto m = t.get_table("memory");
  r.reserve_bytes = m.get_number("reserve_gib", 0, 1e4) * 1024.0 * 1024 * 1024;
  r.reserve_fraction = m.get_number("reserve_fraction", 0, 0.9);
  m.finish();
  if (auto c = t.opt_table("collectives")) {
    r.collective_step_s = c->get_number("step_us", 0, 1e6) * 1e-6;
    r.collective_bandwidth_efficiency = c->get_number("bandwidth_efficiency", 0.05, 1.0);
    c->finish();
  }
  if (auto a = t.opt_table("attention")) {
    r.decode_kv_per_query_head = a->get_choice("decode_kv_reads", {"per_kv_head", "per_query_head"}) == "per_query_head";
    a->finish();
  }
  if (auto o = t.opt_table("offload")) {
    r.pinned_copy_efficiency = o->get_number("pinned_copy_efficiency", 0.05, 1.0);
    o->finish();
  }
  t.finish();
  return r;
}

}  // namespace dssim
