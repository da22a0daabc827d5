#include "serving/request_csv.hpp"

#include <algorithm>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

RequestCsv::RequestCsv(const std::string& path, bool cached, bool moved) : f_(path), cached_(cached), moved_(moved) {
  f_ << "id,arrival_s,start_s,first_token_s,finish_s,prompt_tokens,output_tokens,preemptions"
     << (cached_ ? ",cached_prompt_tokens" : "") << (moved_ ? ",transfer_start_s,transfer_end_s" : "") << "\n";
}

std::string RequestCsv::row(const SeqState& q) const {
  if (q.rejected)
    return fmt("%lld,%.9g,,,,%lld,%lld,0%s%s\n", q.id, q.arrival_s, q.prompt, q.output, cached_ ? "," : "",
               moved_ ? ",," : "");
  std::string r = fmt("%lld,%.9g,%.9g,%.9g,%.9g,%lld,%lld,%d", q.id, q.arrival_s, q.start_s, q.first_token_s,
                      q.finish_s, q.prompt, q.output, q.preemptions);
  if (cached_) r += fmt(",%lld", std::max(0LL, q.cache_hit));
  if (moved_) r += q.transfer_end_s >= 0 ? fmt(",%.9g,%.9g", q.transfer_start_s, q.transfer_end_s) : std::string(",,");
  return r + "\n";
}

void RequestCsv::add(const SeqState& q) {
  if (q.index != next_) {
    if (q.index < next_ || !ahead_.emplace(q.index, row(q)).second)
      throw Error("internal: a request reached the requests CSV twice", ExitCode::internal);
    return;
  }
  f_ << row(q);
  ++next_;
  for (auto it = ahead_.begin(); it != ahead_.end() && it->first == next_; it = ahead_.erase(it), ++next_) f_ << it->second;
}

void RequestCsv::commit() {
  if (!ahead_.empty())
    throw Error(fmt("internal: request %lld never reached the requests CSV", next_), ExitCode::internal);
  f_.commit();
}

}  // namespace dssim
