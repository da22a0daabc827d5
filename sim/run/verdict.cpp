#include "run/verdict.hpp"

#include <algorithm>

#include "run/fixed_batch.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

double at(const Distribution& d, int p) { return p == 50 ? d.p50 : p == 90 ? d.p90 : d.p99; }

void check_percentiles(std::vector<SloCheck>& out, const char* metric, const std::array<std::optional<double>, 3>& targets,
                       const Distribution& d) {
  for (std::size_t i = 0; i < 3; ++i)
    if (targets[i]) {
      const int p = SloTargets::kPercentiles[i];
      const double got = at(d, p);
      out.push_back({fmt("%s_p%d_s", metric, p), *targets[i], got, got <= *targets[i]});
    }
}

std::string seconds(double s) { return s < 1 ? fmt("%.1f ms", s * 1e3) : fmt("%.2f s", s); }

}  // namespace

bool Verdict::meets_slo() const {
  return std::all_of(slo.begin(), slo.end(), [](const SloCheck& c) { return c.met; });
}

std::string Verdict::headline() const {
  std::vector<std::string> bad;
  if (!load.keeps_up)
    bad.push_back(fmt("DOES NOT KEEP UP: requests arrive at %.3g/s, it completes %.3g/s; queueing grows %.2f s per second "
                      "of traffic (%s for the first quarter of arrivals, %s for the last)",
                      load.offered_rps, load.completed_rps, load.wait_growth, seconds(load.wait_first_s).c_str(),
                      seconds(load.wait_last_s).c_str()));
  for (const SloCheck& c : slo)
    if (!c.met) {
      if (c.metric == "goodput_fraction")
        bad.push_back(fmt("MISSES SLO: %.1f %% of requests meet the per-request targets, %.1f %% required", c.achieved * 100,
                          c.target * 100));
      else
        bad.push_back(fmt("MISSES SLO: %s %s > %s target (+%.0f %%)", c.metric.c_str(), seconds(c.achieved).c_str(),
                          seconds(c.target).c_str(), (c.achieved / c.target - 1) * 100));
    }
  if (!bad.empty()) return join(bad, "; ");
  std::string good = slo.empty() ? "no SLO set" : fmt("meets its %zu SLO target%s", slo.size(), slo.size() > 1 ? "s" : "");
  if (load.judged) good += "; keeps up with its traffic";
  return good;
}

LoadCheck judge_load(const ServingRun& run, const ServingSummary& s) {
  LoadCheck c;
  const std::vector<ArrivalWait> done = run.book.arrival_waits();
  if (done.size() < 8) return c;
  c.judged = true;
  const double first = run.book.first_arrival(), last = run.book.last_arrival();
  c.offered_rps = last > first ? static_cast<double>(run.book.requests()) / (last - first) : 0;
  c.completed_rps = s.requests_per_s;
  const std::size_t quarter = done.size() / 4, tail = done.size() - quarter;
  auto mean = [&](std::size_t from, auto value) {
    double sum = 0;
    for (std::size_t i = from; i < from + quarter; ++i) sum += value(done[i]);
    return sum / static_cast<double>(quarter);
  };
  auto wait = [](const ArrivalWait& q) { return q.wait; };
  auto arrival = [](const ArrivalWait& q) { return q.arrival; };
  c.wait_first_s = mean(0, wait);
  c.wait_last_s = mean(tail, wait);
  const double span = mean(tail, arrival) - mean(0, arrival);
  c.wait_growth = span > 0 ? (c.wait_last_s - c.wait_first_s) / span : 0;
  c.keeps_up = !(c.wait_growth > kOverloadGrowth && c.wait_last_s > kOverloadWaitS);
  return c;
}

Verdict judge_stream(const ServingRun& run, const ServingSummary& s, const SloTargets& t) {
  Verdict v;
  v.load = judge_load(run, s);
  check_percentiles(v.slo, "ttft", t.ttft_s, s.ttft_s);
  check_percentiles(v.slo, "tpot", t.tpot_s, s.tpot_s);
  check_percentiles(v.slo, "e2e", t.e2e_s, s.e2e_s);
  if (t.goodput_fraction) {
    const double share = s.requests > 0 && s.makespan_s > 0 ? s.goodput_rps * s.makespan_s / static_cast<double>(s.requests) : 0;
    v.slo.push_back({"goodput_fraction", *t.goodput_fraction, share, share >= *t.goodput_fraction});
  }
  return v;
}

Verdict judge_fixed(const Prediction& p, const SloTargets& t) {
  Verdict v;
  auto single = [](double x) {
    Distribution d;
    d.mean = d.p50 = d.p90 = d.p99 = x;
    d.count = 1;
    return d;
  };
  check_percentiles(v.slo, "ttft", t.ttft_s, single(p.ttft_s));
  check_percentiles(v.slo, "tpot", t.tpot_s, single(p.tpot_s));
  check_percentiles(v.slo, "e2e", t.e2e_s, single(p.e2e_s));
  return v;
}

}  // namespace dssim
