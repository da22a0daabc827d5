#include "serving/request_book.hpp"

#include <algorithm>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

PercentileMode parse_percentile_mode(const std::string& name, const std::string& where) {
  if (name == "exact") return PercentileMode::exact;
  if (name == "sketch") return PercentileMode::sketch;
  std::string msg = fmt("%s%sunknown percentile mode '%s'; expected exact or sketch", where.c_str(),
                        where.empty() ? "" : ": ", name.c_str());
  const std::string guess = closest(name, {"exact", "sketch"});
  if (!guess.empty()) msg += fmt("; did you mean '%s'?", guess.c_str());
  throw Error(msg);
}

const char* percentile_mode_name(PercentileMode m) { return m == PercentileMode::exact ? "exact" : "sketch"; }

RequestBook::RequestBook(PercentileMode mode, std::optional<double> slo_ttft_s, std::optional<double> slo_tpot_s)
    : mode_(mode), slo_ttft_s_(slo_ttft_s), slo_tpot_s_(slo_tpot_s) {
  if (mode_ == PercentileMode::sketch) h_.resize(kMetrics);
}

void RequestBook::add(const SeqState& q) {
  first_arrival_ = requests_ == 0 ? q.arrival_s : std::min(first_arrival_, q.arrival_s);
  last_arrival_ = requests_ == 0 ? q.arrival_s : std::max(last_arrival_, q.arrival_s);
  ++requests_;
  RequestOutcome o;
  o.arrival = q.arrival_s;
  if (q.rejected) {
    ++rejected_;
    o.state = RequestOutcome::State::rejected;
  } else {
    if (q.finish_s < 0) throw Error("internal: a request entered the books before it finished", ExitCode::internal);
    ++completed_;
    tokens_ += q.output;
    o.state = RequestOutcome::State::finished;
    o.ttft = q.first_token_s - q.arrival_s;
    o.e2e = q.finish_s - q.arrival_s;
    o.queue = q.start_s - q.arrival_s;
    o.service = q.finish_s - q.start_s;
    if (q.transfer_end_s >= 0) o.transfer = q.transfer_end_s - q.transfer_start_s;
    double per_token = 0;
    if (q.output > 1) o.tpot = per_token = (q.finish_s - q.first_token_s) / static_cast<double>(q.output - 1);
    if ((!slo_ttft_s_ || o.ttft <= *slo_ttft_s_) && (!slo_tpot_s_ || per_token <= *slo_tpot_s_)) ++good_;
  }
  if (mode_ == PercentileMode::exact) {
    const auto i = static_cast<std::size_t>(q.index);
    if (i >= outcomes_.size()) outcomes_.resize(i + 1);
    if (outcomes_[i].state != RequestOutcome::State::pending)
      throw Error("internal: a request entered the books twice", ExitCode::internal);
    outcomes_[i] = o;
    return;
  }
  if (o.state != RequestOutcome::State::finished) return;
  h_[kTtft].add(o.ttft);
  if (o.tpot >= 0) h_[kTpot].add(o.tpot);
  h_[kE2e].add(o.e2e);
  h_[kQueue].add(o.queue);
  h_[kService].add(o.service);
  if (o.transfer >= 0) h_[kTransfer].add(o.transfer);
  if (q.index % stride_ != 0) return;
  sample_.push_back({q.index, {o.arrival, o.queue}});
  if (sample_.size() <= kLoadSampleCap) return;
  stride_ *= 2;
  std::erase_if(sample_, [this](const Sampled& s) { return s.index % stride_ != 0; });
}

void RequestBook::expect(long long n) {
  if (mode_ == PercentileMode::exact && n > 0) outcomes_.reserve(static_cast<std::size_t>(n));
}

std::vector<ArrivalWait> RequestBook::arrival_waits() const {
  std::vector<ArrivalWait> out;
  if (mode_ == PercentileMode::exact) {
    for (const RequestOutcome& o : outcomes_)
      if (o.state == RequestOutcome::State::finished) out.push_back({o.arrival, o.queue});
  } else {
    std::vector<Sampled> s = sample_;
    std::sort(s.begin(), s.end(), [](const Sampled& a, const Sampled& b) { return a.index < b.index; });
    for (const Sampled& x : s) out.push_back(x.aw);
  }
  // Positions are in arrival order already; ties keep it.
  std::stable_sort(out.begin(), out.end(), [](const ArrivalWait& a, const ArrivalWait& b) { return a.arrival < b.arrival; });
  return out;
}

}  // namespace dssim
