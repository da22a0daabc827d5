#include "finance/hybrid.hpp"

#include <algorithm>
#include <cmath>

namespace dssim {

std::vector<HybridOption> hybrid_options(const RequestSource& demand, const RoiInputs& g, int max_gpus, double bucket_s) {
  std::vector<HybridOption> out;
  if (demand.stats().count == 0 || g.throughput_tok_s <= 0) return out;
  const double span = std::max(bucket_s, demand.stats().last_arrival_s);
  const std::size_t buckets = static_cast<std::size_t>(std::ceil(span / bucket_s));
  std::vector<double> tokens(buckets, 0.0);  // output tokens asked for in each bucket
  const auto cursor = demand.open();
  for (Request r; cursor->next(r);)
    tokens[std::min(buckets - 1, static_cast<std::size_t>(r.arrival_s / bucket_s))] += static_cast<double>(r.output_tokens);
  double total = 0;
  for (double t : tokens) total += t;
  const double month_factor = kHoursPerMonth * 3600.0 / (static_cast<double>(buckets) * bucket_s);
  const CostInputs& c = g.cost;
  for (int n = 0; n <= max_gpus; ++n) {
    const double cap = n * g.throughput_tok_s * bucket_s;  // tokens the owned GPUs serve per bucket
    double served = 0;
    for (double t : tokens) served += std::min(t, cap);
    const double excess = total - served;
    HybridOption o;
    o.onprem_gpus = n;
    o.onprem_share = total > 0 ? served / total : 0;
    if (n > 0) {
      const double busy = served / (n * g.throughput_tok_s * static_cast<double>(buckets) * bucket_s);  // per GPU
      const double avg_w = g.idle_power_w + busy * (g.busy_power_w - g.idle_power_w) + g.host_power_w;
      const double energy = n * avg_w * kHoursPerMonth / 1000.0 * c.pue * c.electricity_usd_per_kwh;
      // the deployment's monthly costs (operations, staff) once, not per GPU
      o.onprem_usd = c.hardware_usd(n) / c.depreciation_months + energy + c.fixed_monthly_usd();
    }
    // the excess rented by the GPU-hour at the same per-GPU capacity
    o.cloud_usd = excess * month_factor / (g.throughput_tok_s * 3600.0) * c.cloud_usd_per_gpu_hour;
    o.total_usd = o.onprem_usd + o.cloud_usd;
    o.usd_per_million_tokens = o.total_usd / (total * month_factor) * 1e6;
    out.push_back(o);
    if (excess <= 0) break;  // more GPUs would only idle
  }
  return out;
}

}  // namespace dssim
