#include "workload/trace_reader.hpp"
#include "util/timestamp.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

const char* kAzureHeader = "TIMESTAMP,ContextTokens,GeneratedTokens";
const char* kDssimHeader = "arrival_s,prompt_tokens,output_tokens";
const char* kDssimHashHeader = "arrival_s,prompt_tokens,output_tokens,hash_ids";
// More prefix blocks than this in one request is a corrupted row (2^30 tokens in 16-token blocks).
constexpr std::size_t kMaxHashIds = std::size_t{1} << 26;

// One parsed row. Azure times are kept as integer 100 ns ticks since 1970 (a double of seconds since
// 1970 would round them to about 0.2 us); the other formats as seconds.
struct Row {
  int line = 0;
  long long ticks = 0;
  double secs = 0;
  std::string time_text;
  long long prompt = 0;
  long long output = 0;
  std::vector<std::uint64_t> hashes;
};

bool parse_int(std::string_view s, long long& v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_double(std::string_view s, double& v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(v);
}

// Position of the value of the top-level "key" (after the colon and spaces), or npos. Keys inside
// nested objects or arrays (a "timestamp" in a nested record) and strings that equal the key are skipped.
std::size_t find_key(std::string_view line, std::string_view key) {
  int depth = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '"') {
      const std::size_t start = i + 1;
      std::size_t j = start;
      while (j < line.size() && line[j] != '"') j += line[j] == '\\' ? 2 : 1;
      if (j >= line.size()) return std::string_view::npos;
      const std::string_view name = line.substr(start, j - start);
      std::size_t k = j + 1;
      while (k < line.size() && std::isspace(static_cast<unsigned char>(line[k]))) ++k;
      const bool is_key = k < line.size() && line[k] == ':';
      if (is_key && depth == 1 && name == key) {
        ++k;
        while (k < line.size() && std::isspace(static_cast<unsigned char>(line[k]))) ++k;
        return k;
      }
      i = j;
    }
  }
  return std::string_view::npos;
}

std::string_view number_token(std::string_view line, std::size_t pos) {
  std::size_t e = pos;
  while (e < line.size() && (std::isalnum(static_cast<unsigned char>(line[e])) || line[e] == '.' ||
                             line[e] == '-' || line[e] == '+'))
    ++e;
  return line.substr(pos, e - pos);
}

class Parser {
 public:
  Parser(std::string path, TraceFormat f) : path_(std::move(path)), f_(f), header_(f != TraceFormat::mooncake) {}

  // Opens the file; next() then reads it a row at a time (a trace is never held whole).
  void open() {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path_, ec)) throw Error(fmt("%s: no such file", path_.c_str()));
    if (fs::is_directory(path_, ec)) throw Error(fmt("%s: is a directory, expected a trace file", path_.c_str()));
    if (!fs::is_regular_file(path_, ec)) throw Error(fmt("%s: not a regular file (a FIFO or a device?), expected a trace file", path_.c_str()));
    in_.open(path_, std::ios::binary);
    if (!in_) throw Error(fmt("%s: cannot open", path_.c_str()));
  }

  // The next row into `r`; false at the end of the file, after the checks that need all of it.
  bool next(Row& r) {
    while (std::getline(in_, line_)) {
      ++lineno_;
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      if (lineno_ == 1 && line_.rfind("\xEF\xBB\xBF", 0) == 0) line_.erase(0, 3);  // UTF-8 byte-order mark
      if (trim(line_).empty()) continue;
      any_ = true;
      if (header_) {
        hashed_ = check_header(line_, lineno_);
        header_ = false;
        continue;
      }
      r = f_ == TraceFormat::mooncake ? jsonl_row(line_, lineno_) : csv_row(line_, lineno_);
      if (rows_ > 0) check_order(prev_, r);
      prev_.line = r.line;
      prev_.ticks = r.ticks;
      prev_.secs = r.secs;
      prev_.time_text = r.time_text;
      ++rows_;
      return true;
    }
    if (!any_) {
      if (f_ == TraceFormat::mooncake)
        throw Error(fmt("%s: empty file; expected one JSON object per line (mooncake format)", path_.c_str()));
      throw Error(fmt("%s: empty file; expected the header '%s' (%s format) and one row per request", path_.c_str(),
                      header_text(), trace_format_name(f_)));
    }
    if (rows_ == 0) throw Error(fmt("%s: no requests (only the header)", path_.c_str()));
    return false;
  }

  long long rows() const { return rows_; }

 private:
  const char* header_text() const { return f_ == TraceFormat::azure ? kAzureHeader : kDssimHeader; }

  [[noreturn]] void fail(int line, const std::string& what) const {
    throw Error(fmt("%s:%d: %s", path_.c_str(), line, what.c_str()));
  }

  // True when the dssim header names the optional hash_ids column.
  bool check_header(const std::string& line, int lineno) const {
    auto fields = split(line, ',');
    for (auto& x : fields) x = trim(x);
    const std::string got = join(fields, ",");
    if (got == header_text()) return false;
    if (f_ == TraceFormat::dssim && got == kDssimHashHeader) return true;
    std::string hint;
    if (got == kAzureHeader) hint = "; this looks like an azure trace";
    else if (got == kDssimHeader) hint = "; this looks like a dssim trace";
    else if (!got.empty() && got[0] == '{') hint = "; this looks like a mooncake (JSONL) trace";
    const std::string also = f_ == TraceFormat::dssim ? fmt(" or '%s'", kDssimHashHeader) : std::string();
    fail(lineno, fmt("wrong header '%s'; expected '%s'%s (%s format)%s", trim(line).c_str(), header_text(),
                     also.c_str(), trace_format_name(f_), hint.c_str()));
  }

  // Prefix-block hashes: non-negative integers, separated by spaces (dssim CSV) or commas (a JSON array).
  std::vector<std::uint64_t> hash_list(int lineno, std::string_view text, char sep, const char* column) const {
    std::vector<std::uint64_t> out;
    std::size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && (text[i] == sep || std::isspace(static_cast<unsigned char>(text[i])))) ++i;
      if (i >= text.size()) break;
      std::size_t e = i;
      while (e < text.size() && text[e] != sep && !std::isspace(static_cast<unsigned char>(text[e]))) ++e;
      const std::string_view item = text.substr(i, e - i);
      std::uint64_t v = 0;
      auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
      if (ec != std::errc() || p != item.data() + item.size())
        fail(lineno, fmt("%s: expected non-negative integer block hashes, got '%s'", column, std::string(item).c_str()));
      if (out.size() >= kMaxHashIds)
        fail(lineno, fmt("%s: more than %zu block hashes in one request", column, kMaxHashIds));
      out.push_back(v);
      i = e;
    }
    return out;
  }

  long long tokens(int lineno, std::string_view text, const char* column, bool prompt) const {
    long long v = 0;
    if (!parse_int(text, v))
      fail(lineno, fmt("%s: expected an integer number of %s tokens, got '%s'", column, prompt ? "prompt" : "output",
                       std::string(text).c_str()));
    if (v < 1)
      fail(lineno, fmt("%s: %s tokens must be >= 1, got %lld", column, prompt ? "prompt" : "output", v));
    if (v > kMaxRequestTokens)
      fail(lineno, fmt("%s: %lld %s tokens is more than dssim takes for one request (%lld)", column, v,
                       prompt ? "prompt" : "output", kMaxRequestTokens));
    return v;
  }

  Row csv_row(const std::string& line, int lineno) const {
    auto fields = split(line, ',');
    const std::size_t want = hashed_ ? 4 : 3;
    if (fields.size() != want)
      fail(lineno, fmt("expected %zu fields (%s), got %zu", want, hashed_ ? kDssimHashHeader : header_text(),
                       fields.size()));
    for (auto& x : fields) x = trim(x);
    Row r;
    r.line = lineno;
    r.time_text = fields[0];
    if (f_ == TraceFormat::azure) {
      if (!parse_utc_timestamp(fields[0], r.ticks))
        fail(lineno, fmt("TIMESTAMP: expected a UTC time 'YYYY-MM-DD HH:MM:SS[.fffffff]', got '%s'", fields[0].c_str()));
      r.prompt = tokens(lineno, fields[1], "ContextTokens", true);
      r.output = tokens(lineno, fields[2], "GeneratedTokens", false);
    } else {
      if (!parse_double(fields[0], r.secs))
        fail(lineno, fmt("arrival_s: expected a number of seconds, got '%s'", fields[0].c_str()));
      check_time(lineno, r.secs, "arrival_s");
      r.prompt = tokens(lineno, fields[1], "prompt_tokens", true);
      r.output = tokens(lineno, fields[2], "output_tokens", false);
      if (hashed_) r.hashes = hash_list(lineno, fields[3], ' ', "hash_ids");
    }
    return r;
  }

  Row jsonl_row(const std::string& raw, int lineno) const {
    const std::string line = trim(raw);
    if (line.front() != '{' || line.back() != '}')
      fail(lineno, "expected one JSON object per line ({\"timestamp\": ..., \"input_length\": ..., \"output_length\": ...})");
    auto value = [&](const char* key) {
      std::size_t pos = find_key(line, key);
      if (pos == std::string::npos)
        fail(lineno, fmt("missing key \"%s\"; expected keys timestamp, input_length and output_length", key));
      return number_token(line, pos);
    };
    Row r;
    r.line = lineno;
    std::string_view ts = value("timestamp");
    r.time_text = std::string(ts);
    double ms = 0;
    if (!parse_double(ts, ms))
      fail(lineno, fmt("timestamp: expected a number of milliseconds, got '%s'", std::string(ts).c_str()));
    r.secs = ms / 1000.0;
    check_time(lineno, r.secs, "timestamp");
    r.prompt = tokens(lineno, value("input_length"), "input_length", true);
    r.output = tokens(lineno, value("output_length"), "output_length", false);
    const std::size_t h = find_key(line, "hash_ids");
    if (h != std::string::npos) {
      const std::size_t close = line.find(']', h);
      if (line[h] != '[' || close == std::string::npos)
        fail(lineno, "hash_ids: expected an array of integer block hashes, [0, 1, ...]");
      r.hashes = hash_list(lineno, std::string_view(line).substr(h + 1, close - h - 1), ',', "hash_ids");
    }
    return r;
  }

  // Arrivals are seconds from an origin: finite, and within a century (a trace longer than that is a
  // unit or corruption mistake, and would overflow the simulated clock's precision).
  void check_time(int lineno, double secs, const char* column) const {
    if (!std::isfinite(secs) || std::fabs(secs) > kMaxTraceSeconds)
      fail(lineno, fmt("%s: %g s is not a plausible arrival time (expected a finite number within %g s)", column, secs,
                       kMaxTraceSeconds));
  }

  void check_order(const Row& prev, const Row& r) const {
    const bool back = f_ == TraceFormat::azure ? r.ticks < prev.ticks : r.secs < prev.secs;
    if (back)
      fail(r.line, fmt("timestamp '%s' is earlier than '%s' on line %d; rows must be in arrival order",
                       r.time_text.c_str(), prev.time_text.c_str(), prev.line));
  }

  std::string path_;
  TraceFormat f_;
  bool hashed_ = false;
  std::ifstream in_;
  std::string line_;
  int lineno_ = 0;
  bool header_ = true, any_ = false;
  long long rows_ = 0;
  Row prev_;  // the last row's time and line (its lengths and hashes are not kept)
};

}  // namespace

const char* trace_format_name(TraceFormat f) {
  switch (f) {
    case TraceFormat::azure: return "azure";
    case TraceFormat::mooncake: return "mooncake";
    case TraceFormat::dssim: return "dssim";
  }
  return "?";
}

TraceFormat parse_trace_format(const std::string& name, const std::string& where) {
  if (name == "azure") return TraceFormat::azure;
  if (name == "mooncake") return TraceFormat::mooncake;
  if (name == "dssim") return TraceFormat::dssim;
  std::string msg = fmt("%s%sunknown trace format '%s'; expected azure, mooncake or dssim", where.c_str(),
                        where.empty() ? "" : ": ", name.c_str());
  std::string guess = closest(name, {"azure", "mooncake", "dssim"});
  if (!guess.empty()) msg += fmt("; did you mean '%s'?", guess.c_str());
  throw Error(msg);
}

namespace {

void check_options(const std::string& path, const TraceOptions& o) {
  if (!(o.rate_scale > 0) || !std::isfinite(o.rate_scale))
    throw Error(fmt("%s: rate_scale must be > 0, got %g", path.c_str(), o.rate_scale));
  if (!(o.start_s >= 0) || !std::isfinite(o.start_s))
    throw Error(fmt("%s: window start must be >= 0 s, got %g", path.c_str(), o.start_s));
  if (std::isnan(o.duration_s)) throw Error(fmt("%s: window duration is not a number", path.c_str()));
  if (o.max_requests == 0)
    throw Error(fmt("%s: max_requests must be >= 1 (or negative for all requests), got 0", path.c_str()));
}

// Reads a trace's rows in order and turns those in the window into requests.
class TraceCursor : public RequestCursor {
 public:
  TraceCursor(const std::string& path, TraceFormat f, const TraceOptions& o) : p_(path, f), f_(f), o_(o) { p_.open(); }

  bool next(Request& out) override {
    if (done_) return false;
    Row r;
    while (read(r)) {
      if (o_.max_requests > 0 && taken_ >= o_.max_requests) break;
      const double t = rel(r);
      if (t < o_.start_s) continue;
      if (o_.duration_s >= 0 && t >= o_.start_s + o_.duration_s) break;  // rows are in time order
      out = Request{};
      out.id = taken_++;
      out.arrival_s = (t - o_.start_s) / o_.rate_scale;
      out.prompt_tokens = r.prompt;
      out.output_tokens = r.output;
      out.hash_ids = std::move(r.hashes);
      return true;
    }
    done_ = true;
    return false;
  }

  // Arrivals relative to the first row.
  double rel(const Row& r) const {
    return f_ == TraceFormat::azure ? static_cast<double>(r.ticks - first_.ticks) * 1e-7 : r.secs - first_.secs;
  }
  // Reads the rest of the file (every row is checked, and the span needs the last).
  void finish() {
    for (Row r; read(r);) {
    }
  }
  const Row& first() const { return first_; }
  const Row& last() const { return last_; }
  long long rows() const { return p_.rows(); }

 private:
  // The next row; the first's and the latest's times kept (not their hashes).
  bool read(Row& r) {
    if (!p_.next(r)) return false;
    last_.line = r.line;
    last_.ticks = r.ticks;
    last_.secs = r.secs;
    if (p_.rows() == 1) first_ = last_;
    return true;
  }
  Parser p_;
  TraceFormat f_;
  TraceOptions o_;
  Row first_, last_;
  long long taken_ = 0;
  bool done_ = false;
};

class TraceSource : public RequestSource {
 public:
  TraceSource(std::string path, TraceFormat f, const TraceOptions& o) : path_(std::move(path)), f_(f), o_(o) {
    check_options(path_, o_);
    // The building pass reads every row: a bad one anywhere is reported before the run, as is a span
    // no replay could take.
    TraceCursor c(path_, f_, o_);
    for (Request q; c.next(q);) count(q);
    c.finish();
    const double span = c.rel(c.last());
    if (span > kMaxTraceSpanSeconds)
      throw Error(fmt("%s: the requests span %g s, from line %d to line %d; more than %g s is not a trace dssim can "
                      "replay (check the timestamps' unit and years)", path_.c_str(), span, c.first().line, c.last().line,
                      kMaxTraceSpanSeconds));
    if (stats_.count == 0) {
      const bool bounded = o_.duration_s >= 0;
      const double end = o_.start_s + o_.duration_s;
      const std::string window = bounded ? fmt("[%g, %g) s", o_.start_s, end) : fmt("[%g s, end)", o_.start_s);
      throw Error(fmt("%s: no requests in the window %s; the file's %lld requests arrive from 0 to %g s", path_.c_str(),
                      window.c_str(), c.rows(), span));
    }
  }
  std::unique_ptr<RequestCursor> open() const override {
    return std::make_unique<Checked>(std::make_unique<TraceCursor>(path_, f_, o_), path_, stats_.count);
  }

 private:
  // A later pass that finds fewer requests than the first: the file changed under the run.
  class Checked : public RequestCursor {
   public:
    Checked(std::unique_ptr<TraceCursor> c, const std::string& path, long long want) : c_(std::move(c)), path_(path), want_(want) {}
    bool next(Request& out) override {
      if (c_->next(out)) {
        if (++got_ > want_) fail();
        return true;
      }
      if (got_ != want_) fail();
      return false;
    }

   private:
    [[noreturn]] void fail() const {
      const std::string now = got_ > want_ ? fmt("more than %lld", want_) : fmt("%lld", got_);
      throw Error(fmt("%s: the file changed while dssim was reading it (%lld requests at first, now %s)", path_.c_str(),
                      want_, now.c_str()));
    }
    std::unique_ptr<TraceCursor> c_;
    std::string path_;
    long long want_, got_ = 0;
  };

  std::string path_;
  TraceFormat f_;
  TraceOptions o_;
};

}  // namespace

std::shared_ptr<const RequestSource> trace_source(const std::string& path, TraceFormat f, const TraceOptions& o) {
  return std::make_shared<TraceSource>(path, f, o);
}

std::vector<Request> read_trace(const std::string& path, TraceFormat f, const TraceOptions& o) {
  const auto source = trace_source(path, f, o);
  std::vector<Request> out;
  const auto c = source->open();
  for (Request r; c->next(r);) out.push_back(std::move(r));
  return out;
}

std::vector<long long> trace_lengths(const std::string& path, TraceFormat f, bool prompt) {
  Parser p(path, f);
  p.open();
  std::vector<long long> out;
  for (Row r; p.next(r);) out.push_back(prompt ? r.prompt : r.output);
  return out;
}

}  // namespace dssim
