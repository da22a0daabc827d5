#pragma once
// Where a request stream's requests come from, read as often as needed without holding them: a
// source opens cursors, each reading the same requests in arrival order from the start. Drawn
// arrivals are drawn again from their seed; a list held in memory is read in place. The figures a
// run needs before the replay (how many, the longest, the mean lengths) come from one pass made
// when the source is built, which is also where a bad parameter is reported.
#include <memory>
#include <vector>

#include "workload/request.hpp"
#include "workload/synthetic.hpp"

namespace dssim {

struct RequestStats {
  long long count = 0;
  long long hashed = 0;                       // requests that carry prefix hashes
  long long longest_prompt = 0, longest = 0;  // tokens: the longest prompt; the longest prompt + output
  double prompt_sum = 0, output_sum = 0;      // tokens, summed in arrival order
  double last_arrival_s = 0;
};

class RequestCursor {
 public:
  virtual ~RequestCursor() = default;
  // The next request into `out`; false after the last.
  virtual bool next(Request& out) = 0;
};

class RequestSource {
 public:
  virtual ~RequestSource() = default;
  virtual std::unique_ptr<RequestCursor> open() const = 0;
  const RequestStats& stats() const { return stats_; }

 protected:
  void count(const Request& r);  // adds one request to stats_
  RequestStats stats_;
};

// A list of requests, held by the source.
std::shared_ptr<const RequestSource> list_source(std::vector<Request> requests);
// A list the caller keeps alive while the source is used (tests, one-off replays).
std::unique_ptr<RequestSource> view_source(const std::vector<Request>& requests);
// Synthetic arrivals (workload/synthetic.hpp), drawn again on every pass: memory independent of
// `a.requests`. Throws what synthesize() throws.
std::shared_ptr<const RequestSource> synthetic_source(const ArrivalSpec& a, const LengthDist& prompt, const LengthDist& output);

}  // namespace dssim
