// A burn's report: the steady state of a sustained load under the power and thermal model, in the
// figures the calibration traces can be laid beside.
#include <sstream>

#include "report/report.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace dssim {

std::string render_burn(const RunInputs& in, const RunResult& res, Format f) {
  const BurnRun& b = *res.burn;
  const BurnSpec& spec = b.spec;
  const BurnResult& r = b.result;
  const PowerModel& pm = b.power;
  const GpuCard& g = in.base.gpu;
  const Environment& env = in.base.env;
  const char* unit = spec.kind == "gemm-burn" ? "TFLOP/s" : "GB/s";
  const double kwh = r.energy_j / 3.6e6;
  if (f == Format::json) {
    JsonWriter j;
    j.begin_document("burn").value("scenario", in.title);
    overrides_json(j, in);
    j.value("gpu", g.id).value("workload", spec.kind);
    j.value("power_limit_w", b.limit_w).value("ambient_c", env.ambient_c).value("cooling", env.cooling.id);
    j.begin_object("burn").value("steady_rate", r.steady_rate).value("rate_unit", unit);
    j.value("steady_sm_clock_mhz", r.steady_sm_clock_mhz).value("steady_power_w", r.steady_power_w);
    if (r.time_to_limit_s) j.value("time_to_limit_s", *r.time_to_limit_s); else j.null("time_to_limit_s");
    j.value("steady_temp_c", r.steady_temp_c).value("compute_share", spec.compute_share).end_object();
    j.begin_object("thermal").value("max_temp_c", r.max_temp_c).value("mean_power_w", r.mean_power_w);
    j.value("throttled_fraction", r.throttled_fraction).value("shutdown_reached", r.shutdown_reached).end_object();
    j.begin_object("energy").value("kwh", kwh).end_object();
    j.end_object();
    return j.str();
  }
  std::ostringstream o;
  o << header_text(in);
  o << fmt("\n%s on %s for %.1f s: one kernel %.3f ms at %.0f MHz, %.0f %% of it paced by the SM clock\n",
           spec.kind.c_str(), g.id.c_str(), spec.duration_s, spec.kernel_s * 1e3, pm.f_max_mhz, spec.compute_share * 100);
  o << fmt("Power model  %s: idle %.0f W, compute %.0f W x (f/fmax)^%.2f, memory %.0f W; limit %.0f W\n", pm.source.c_str(),
           pm.idle_w, pm.compute_w, pm.alpha, pm.memory_w, b.limit_w);
  o << fmt("Thermal      %s (%s), ambient %.1f C; slowdown at %.0f C\n", env.cooling.name.c_str(), env.cooling.source.c_str(),
           env.ambient_c, b.thermal.slowdown_c);
  o << "\nSteady state (after the first 2 s)\n";
  o << fmt("  rate                     %.1f %s\n", r.steady_rate, unit);
  o << fmt("  SM clock                 %.0f MHz\n", r.steady_sm_clock_mhz);
  o << fmt("  power (1 s average)      %.1f W\n", r.steady_power_w);
  o << fmt("  GPU temperature          %.1f C (max %.1f C)\n", r.steady_temp_c, r.max_temp_c);
  if (r.time_to_limit_s)
    o << fmt("  reached the power limit  after %.2f s\n", *r.time_to_limit_s);
  else
    o << "  reached the power limit  never\n";
  o << fmt("  throttled                %.1f %% of the time\n", r.throttled_fraction * 100);
  o << fmt("  energy                   %.4f kWh (mean %.1f W)\n", kwh, r.mean_power_w);
  return o.str();
}

}  // namespace dssim
