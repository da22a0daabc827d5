#pragma once
// Request traces from files: the Azure LLM inference traces (CSV), Mooncake traces (JSONL) and
// dssim's own CSV. Every malformed row is an Error naming path:line; nothing is silently dropped.
#include <string>
#include <vector>

#include "workload/request.hpp"
#include "workload/request_source.hpp"

namespace dssim {

// What one request may carry, and how long a trace may span: larger figures are mistakes (a unit, a
// corrupted row) that would overflow token arithmetic or the simulated clock's precision.
inline constexpr long long kMaxRequestTokens = 1LL << 30;
inline constexpr double kMaxTraceSeconds = 1e13;  // a time value (epoch seconds are ~1.8e9)
inline constexpr double kMaxTraceSpanSeconds = 1e10;  // first to last request: about 317 years

enum class TraceFormat { azure, mooncake, dssim };
// Error listing the three names, with a did-you-mean; `where` prefixes the message (e.g. an option name).
TraceFormat parse_trace_format(const std::string& name, const std::string& where);
const char* trace_format_name(TraceFormat f);

struct TraceOptions {
  double rate_scale = 1.0;      // >1 compresses time: arrivals divided by rate_scale
  double start_s = 0;           // window start, seconds after the first request of the file
  double duration_s = -1;       // window length; < 0: to the end
  long long max_requests = -1;  // < 0: all
};

// Arrivals relative to the first row (at 0), then the window [start_s, start_s + duration_s) re-based
// to start at 0, then divided by rate_scale, then capped at max_requests; ids 0..n-1 in file order.
// A source that reads the file again on each pass (workload/request_source.hpp): the trace is never
// held whole. Building it reads every row, so every error above is reported then.
std::shared_ptr<const RequestSource> trace_source(const std::string& path, TraceFormat f, const TraceOptions& o);
std::vector<Request> read_trace(const std::string& path, TraceFormat f, const TraceOptions& o);
// Length samples of one column of a trace, for LengthDist::empirical (prompt = true: prompt lengths, else output lengths).
std::vector<long long> trace_lengths(const std::string& path, TraceFormat f, bool prompt);

}  // namespace dssim
