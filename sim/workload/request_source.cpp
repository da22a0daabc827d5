#include "workload/request_source.hpp"

#include <algorithm>
#include <cmath>

#include "util/error.hpp"
#include "util/strings.hpp"
#include "workload/rng.hpp"

namespace dssim {

void RequestSource::count(const Request& r) {
  ++stats_.count;
  stats_.hashed += r.hash_ids.empty() ? 0 : 1;
  stats_.longest_prompt = std::max(stats_.longest_prompt, r.prompt_tokens);
  stats_.longest = std::max(stats_.longest, r.prompt_tokens + r.output_tokens);
  stats_.prompt_sum += static_cast<double>(r.prompt_tokens);
  stats_.output_sum += static_cast<double>(r.output_tokens);
  stats_.last_arrival_s = r.arrival_s;
}

namespace {

class ListCursor : public RequestCursor {
 public:
  explicit ListCursor(const std::vector<Request>& v) : v_(v) {}
  bool next(Request& out) override {
    if (i_ >= v_.size()) return false;
    out = v_[i_++];
    return true;
  }

 private:
  const std::vector<Request>& v_;
  std::size_t i_ = 0;
};

class ListSource : public RequestSource {
 public:
  // `keep`: the list, when the source owns it.
  ListSource(std::vector<Request> keep, const std::vector<Request>* view) : own_(std::move(keep)), v_(view ? *view : own_) {
    for (const Request& r : v_) count(r);
  }
  std::unique_ptr<RequestCursor> open() const override { return std::make_unique<ListCursor>(v_); }

 private:
  std::vector<Request> own_;
  const std::vector<Request>& v_;
};

class SyntheticCursor : public RequestCursor {
 public:
  SyntheticCursor(const ArrivalSpec& a, const LengthDist& prompt, const LengthDist& output)
      : a_(a), prompt_(prompt), output_(output), rng_(a.seed), shape_(1.0 / (a.cv * a.cv)), scale_(1.0 / (a.rate_per_s * shape_)) {}
  // The same draws in the same order as synthesize() always made: arrival gap, prompt, output.
  bool next(Request& out) override {
    if (i_ >= a_.requests) return false;
    t_ += a_.kind == ArrivalSpec::Kind::poisson ? rng_.exponential(a_.rate_per_s) : rng_.gamma(shape_, scale_);
    out = Request{};
    out.id = i_++;
    out.arrival_s = t_;
    out.prompt_tokens = sample_length(prompt_, rng_);
    out.output_tokens = sample_length(output_, rng_);
    return true;
  }

 private:
  const ArrivalSpec& a_;
  const LengthDist &prompt_, &output_;
  Rng rng_;
  double shape_, scale_, t_ = 0;
  long long i_ = 0;
};

class SyntheticSource : public RequestSource {
 public:
  SyntheticSource(const ArrivalSpec& a, const LengthDist& prompt, const LengthDist& output)
      : a_(a), prompt_(prompt), output_(output) {
    check_arrivals(a_, prompt_, output_);
    SyntheticCursor c(a_, prompt_, output_);
    Request r;
    while (c.next(r)) count(r);
  }
  std::unique_ptr<RequestCursor> open() const override { return std::make_unique<SyntheticCursor>(a_, prompt_, output_); }

 private:
  ArrivalSpec a_;
  LengthDist prompt_, output_;
};

}  // namespace

std::shared_ptr<const RequestSource> list_source(std::vector<Request> requests) {
  return std::make_shared<ListSource>(std::move(requests), nullptr);
}

std::unique_ptr<RequestSource> view_source(const std::vector<Request>& requests) {
  return std::make_unique<ListSource>(std::vector<Request>{}, &requests);
}

std::shared_ptr<const RequestSource> synthetic_source(const ArrivalSpec& a, const LengthDist& prompt, const LengthDist& output) {
  return std::make_shared<SyntheticSource>(a, prompt, output);
}

}  // namespace dssim
