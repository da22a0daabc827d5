#include "serving/serving_metrics.hpp"
#include "util/output_file.hpp"

#include "power/burn_sim.hpp"
#include "util/stats.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

Distribution distribution(std::vector<double> v) {
  Distribution d;
  d.count = static_cast<long long>(v.size());
  if (v.empty()) return d;
  double sum = 0;
  for (double x : v) sum += x;
  d.mean = sum / static_cast<double>(v.size());
  // Nearest-rank percentiles by selection (linear) instead of a full sort, in increasing rank order
  // so that each selection only partitions what lies above the previous one.
  auto at = [&v](double q, std::size_t from) {
    const std::size_t rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    const std::size_t i = std::min(v.size() - 1, rank == 0 ? 0 : rank - 1);
    std::nth_element(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
    return i;
  };
  // (Each value read at once: the next selection may move what lies at the previous rank.)
  const std::size_t i50 = at(0.50, 0);
  d.p50 = v[i50];
  const std::size_t i90 = at(0.90, i50);
  d.p90 = v[i90];
  d.p99 = v[at(0.99, i90)];
  return d;
}

Distribution distribution(const LogHistogram& h) {
  Distribution d;
  d.count = static_cast<long long>(h.count());
  d.mean = h.mean();
  d.p50 = h.percentile(0.50);
  d.p90 = h.percentile(0.90);
  d.p99 = h.percentile(0.99);
  return d;
}

PoolPower pool_power(const ServingRun& run, int pool, int gpus_per_replica) {
  PoolPower p;
  double gpus = 0, energy = 0, busy_energy = 0, busy = 0, throttled = 0;
  // Per GPU figures weigh each replica by its GPUs (pools of different sizes); the energy counts them all.
  for (const GpuEnergy& e : run.energy) {
    if (pool != kAllPools && e.pool != pool) continue;
    const double g = e.gpus > 0 ? e.gpus : gpus_per_replica;
    gpus += g;
    energy += e.energy_j * g;
    busy_energy += e.busy_energy_j;
    busy += e.busy_s;
    throttled += e.throttled_s;
    p.max_temp_c = std::max(p.max_temp_c, e.max_temp_c);
    p.shutdown_reached = p.shutdown_reached || e.shutdown_reached;
  }
  p.energy_j = energy;
  if (gpus > 0 && run.end_s > 0) p.mean_w = energy / gpus / run.end_s;
  if (busy > 0) {
    p.busy_w = busy_energy / busy;
    p.throttled_fraction = throttled / busy;
  }
  return p;
}

ServingSummary summarize(const ServingRun& run, int replicas, int gpus_per_replica, double host_power_w) {
  ServingSummary s;
  const RequestBook& book = run.book;
  s.percentiles = book.mode();
  s.requests = book.requests();
  s.rejected = book.rejected();
  s.completed = book.completed();
  const long long tokens = book.output_tokens(), good = book.good();
  if (book.mode() == PercentileMode::exact) {
    // One latency at a time: a million requests need one list of a million values, not six.
    std::vector<double> v;
    // (`optional`: a field that is -1 where it does not apply, TPOT and the KV transfer)
    auto of = [&](double RequestOutcome::*field, bool optional = false) {
      v.clear();
      for (const RequestOutcome& o : book.outcomes())
        if (o.state == RequestOutcome::State::finished && (!optional || o.*field >= 0)) v.push_back(o.*field);
      return distribution(std::move(v));
    };
    s.ttft_s = of(&RequestOutcome::ttft);
    s.tpot_s = of(&RequestOutcome::tpot, true);
    s.e2e_s = of(&RequestOutcome::e2e);
    s.queue_s = of(&RequestOutcome::queue);
    s.service_s = of(&RequestOutcome::service);
    s.kv_transfer_s = of(&RequestOutcome::transfer, true);
  } else {
    s.ttft_s = distribution(book.ttft());
    s.tpot_s = distribution(book.tpot());
    s.e2e_s = distribution(book.e2e());
    s.queue_s = distribution(book.queue());
    s.service_s = distribution(book.service());
    s.kv_transfer_s = distribution(book.transfer());
  }
  s.itl_s = distribution(run.itl);
  s.disaggregated = run.disaggregated;
  s.preemptions = run.preemptions;
  s.iterations = run.iteration_count;
  s.gpu_busy_s = run.gpu_busy_s;
  s.model_flops = run.model_flops;
  s.model_bytes = run.model_bytes;
  s.makespan_s = run.end_s;
  if (s.makespan_s > 0) {
    s.requests_per_s = static_cast<double>(s.completed) / s.makespan_s;
    s.throughput_tok_s = static_cast<double>(tokens) / s.makespan_s;
    s.goodput_rps = static_cast<double>(good) / s.makespan_s;
    s.gpu_busy_fraction = run.busy_s / (s.makespan_s * replicas);
    s.littles_L = run.in_system_integral / s.makespan_s;
    s.littles_lambda_W = s.requests_per_s * s.e2e_s.mean;
  }
  if (run.iteration_count > 0) s.mean_batch = run.sequences_sum / static_cast<double>(run.iteration_count);
  if (run.spec_steps > 0) {
    s.speculation = true;
    s.tokens_per_step = static_cast<double>(run.spec_tokens) / static_cast<double>(run.spec_steps);
  }
  if (run.prefix_cache) {
    s.prefix_cache = true;
    s.prefix_looked_tokens = run.prefix.looked_tokens;
    s.prefix_hit_tokens = run.prefix.hits();
    if (s.prefix_looked_tokens > 0) {
      const double looked = static_cast<double>(s.prefix_looked_tokens);
      s.prefix_hit_fraction = static_cast<double>(s.prefix_hit_tokens) / looked;
      for (int t = 0; t < kCacheTiers; ++t) s.prefix_tier_fraction[t] = static_cast<double>(run.prefix.hit_tokens[t]) / looked;
    }
  }
  if (!run.energy.empty()) {
    s.has_power = true;
    const PoolPower all = pool_power(run, kAllPools, gpus_per_replica);
    s.mean_power_w = all.mean_w;
    s.busy_power_w = all.busy_w;
    s.throttled_fraction = all.throttled_fraction;
    s.max_temp_c = all.max_temp_c;
    s.shutdown_reached = all.shutdown_reached;
    s.energy_kwh = (all.energy_j + host_power_w * s.makespan_s) / 3.6e6;
    if (tokens > 0) s.kwh_per_million_tokens = s.energy_kwh / static_cast<double>(tokens) * 1e6;
  }
  return s;
}

void write_thermal_csv(const ServingRun& run, int gpus_per_replica, const std::string& path) {
  OutputFile f(path);
  f << kThermalCsvHeader;
  for (const GpuEnergy& e : run.energy) {
    const int n = e.gpus > 0 ? e.gpus : gpus_per_replica;
    const int first = e.gpus > 0 ? e.first_gpu : e.replica * gpus_per_replica;
    for (int g = 0; g < n; ++g)  // the ranks of a replica draw alike
      write_thermal_rows(f.stream(), e.samples, first + g);
  }
  f.commit();
}

void write_timeline(const ServingRun& run, const std::string& path) {
  if (static_cast<long long>(run.seqs.size()) != run.book.requests())
    throw Error("internal: a timeline needs the requests kept (ServingOptions::keep_requests)", ExitCode::internal);
  OutputFile f(path);
  // Chrome trace events (microseconds): iterations on pid = replica, requests on pid "requests".
  f << "{\"traceEvents\":[\n";
  bool first = true;
  auto sep = [&]() -> const char* {
    const char* s = first ? "" : ",\n";
    first = false;
    return s;
  };
  for (const auto& it : run.iterations)
    f << sep()
      << fmt("{\"name\":\"%s\",\"ph\":\"X\",\"pid\":%d,\"tid\":0,\"ts\":%.3f,\"dur\":%.3f,"
             "\"args\":{\"sequences\":%d,\"prefill_tokens\":%lld,\"decodes\":%d}}",
             it.prefill_tokens > 0 ? (it.decodes > 0 ? "mixed" : "prefill") : "decode", it.replica, it.start_s * 1e6,
             (it.end_s - it.start_s) * 1e6, it.sequences, it.prefill_tokens, it.decodes);
  for (const SeqState& q : run.seqs) {
    if (q.finish_s < 0) continue;
    f << sep()
      << fmt("{\"name\":\"request %lld\",\"cat\":\"request\",\"ph\":\"b\",\"id\":%lld,\"pid\":\"requests\",\"ts\":%.3f,"
             "\"args\":{\"prompt\":%lld,\"output\":%lld,\"queue_s\":%.6g,\"ttft_s\":%.6g}}",
             q.id, q.id, q.arrival_s * 1e6, q.prompt, q.output, q.start_s - q.arrival_s, q.first_token_s - q.arrival_s);
    f << sep()
      << fmt("{\"name\":\"request %lld\",\"cat\":\"request\",\"ph\":\"e\",\"id\":%lld,\"pid\":\"requests\",\"ts\":%.3f}",
             q.id, q.id, q.finish_s * 1e6);
  }
  int last_replica = 0;
  for (const auto& it : run.iterations) last_replica = std::max(last_replica, it.replica);
  for (int r = 0; r <= last_replica; ++r)
    f << sep() << fmt("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"args\":{\"name\":\"replica %d (GPU iterations)\"}}", r, r);
  f << "\n],\"displayTimeUnit\":\"ms\"}\n";
  f.commit();
}

}  // namespace dssim
