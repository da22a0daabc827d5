#include "power/thermal.hpp"

#include <cmath>

#include "config/toml_table.hpp"

namespace dssim {

CoolingProfile load_cooling(const std::string& path) {
  auto doc = TomlTable::parse_file(path);
  TomlTable t(*doc, path, "");
  CoolingProfile c;
  c.file = path;
  c.id = t.get_string("id");
  c.name = t.get_string("name");
  c.source = t.get_string("source");
  c.idle_rise_c = t.get_number("idle_rise_c", 0, 200);
  c.rise_at_tdp_c = t.get_number("rise_at_tdp_c", c.idle_rise_c, 300);
  c.memory_factor = t.get_number("memory_factor", 0, 10);
  c.time_constant_s = t.get_number("time_constant_s", 1e-3, 1e5);
  t.finish();
  return c;
}

double ThermalModel::step(double temp_c, double target_c, double dt_s) const {
  return target_c + (temp_c - target_c) * std::exp(-dt_s / tau_s);
}

ThermalModel make_thermal(const GpuCard& gpu, const CoolingProfile& c, double ambient_c) {
  ThermalModel m;
  m.ambient_c = ambient_c;
  m.idle_rise_c = c.idle_rise_c;
  m.r_compute = (c.rise_at_tdp_c - c.idle_rise_c) / std::max(1.0, gpu.tdp_w - gpu.idle_w);
  m.r_memory = m.r_compute * c.memory_factor;
  m.tau_s = c.time_constant_s;
  m.slowdown_c = gpu.slowdown_c;
  m.shutdown_c = gpu.shutdown_c;
  return m;
}

}  // namespace dssim
