#include "run/batch_power.hpp"

#include <algorithm>

namespace dssim {

namespace {

// The part of a step the SM clock does not pace (host issue, launch gaps, communication waits) is
// added to the GPU part, which the controller stretches by its clock.
IterationCostBreakdown breakdown(const StepLoad& l) {
  IterationCostBreakdown b;
  b.graph = true;  // total = host_s + GPU time at the chosen clock
  b.gpu_s = l.gpu_s;
  b.host_s = std::max(0.0, l.total_s - l.gpu_s);
  b.gpu_compute_s = std::min(l.compute_s, l.gpu_s);
  b.gpu_issue_s = std::min(l.issue_s, l.gpu_s - b.gpu_compute_s);
  b.memory_bytes = l.memory_bytes;
  b.total_s = l.total_s;
  return b;
}

}  // namespace

BatchPower pace_batch(const PowerSetup& setup, const StepLoad& prefill, const std::function<StepLoad(long long)>& decode_at,
                      long long first_context, long long steps, long long report_context) {
  BatchPower r;
  r.source = setup.model.source;
  r.limit_w = setup.limit_w;
  GpuPowerState st(setup);
  double t = 0;
  r.prefill_s = st.run(breakdown(prefill), t);
  r.prefill_clock_mhz = st.clock_mhz();
  r.prefill_limiter = st.limiter();
  t += r.prefill_s;
  double clock_time = 0;
  bool reported = false;
  for (long long j = 0; j < steps; ++j) {
    const long long c = first_context + j;
    const double d = st.run(breakdown(decode_at(c)), t);
    t += d;
    r.decode_total_s += d;
    clock_time += st.clock_mhz() * d;
    if (c == report_context) {
      r.decode_at_context_s = d;
      reported = true;
    }
  }
  r.decode_clock_mhz = r.decode_total_s > 0 ? clock_time / r.decode_total_s : st.clock_mhz();
  r.busy_power_w = st.busy_s() > 0 ? st.busy_energy_j() / st.busy_s() : 0;
  r.energy_j = st.energy_j();
  r.busy_s = st.busy_s();
  r.max_temp_c = st.max_temp_c();
  r.throttled_fraction = st.busy_s() > 0 ? st.throttled_s() / st.busy_s() : 0;
  r.shutdown_reached = st.shutdown_reached();
  if (!reported) {  // a reported context outside the generation: one more step after it, not counted
    GpuPowerState after = st;
    r.decode_at_context_s = after.run(breakdown(decode_at(report_context)), t);
  }
  return r;
}

}  // namespace dssim
