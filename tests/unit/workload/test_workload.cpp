#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "util/error.hpp"
#include "workload/lengths.hpp"
#include "workload/rng.hpp"
#include "workload/synthetic.hpp"
#include "workload/trace_reader.hpp"
#include "test_files.hpp"

using namespace dssim;

namespace {
// Small traces written by the test itself (no real trace is part of the repository).
std::string write_trace(const std::string& name, const std::string& text) { return write_test_file(name, text); }
std::string trace_error(const std::string& path, TraceFormat f, TraceOptions o = {}) {
  try {
    read_trace(path, f, o);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::bad_input);
    return e.what();
  }
  return "";
}
struct Moments {
  double mean = 0, var = 0;
};
Moments moments(const std::vector<double>& x) {
  Moments m;
  for (double v : x) m.mean += v;
  m.mean /= static_cast<double>(x.size());
  for (double v : x) m.var += (v - m.mean) * (v - m.mean);
  m.var /= static_cast<double>(x.size() - 1);
  return m;
}
std::vector<double> inter_arrivals(const std::vector<Request>& r) {
  std::vector<double> d;
  double prev = 0;
  for (const auto& q : r) {
    d.push_back(q.arrival_s - prev);
    prev = q.arrival_s;
  }
  return d;
}
const char* kAzure =
    "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
    "2023-11-16 18:15:46.6805900,374,44\r\n"
    "\r\n"
    "2023-11-16 18:15:50.9951690,396,109\r\n"
    "2023-11-16 18:15:51.5,879,28\r\n";
const char* kDssim =
    "arrival_s,prompt_tokens,output_tokens\n"
    "10.0,100,10\n"
    "10.5,200,20\n"
    "12.0,300,30\n"
    "\n"
    "13.0,400,40\n"
    "20.0,500,50\n";
}  // namespace

TEST_CASE("each trace format parses with times relative to the first row", "[workload]") {
  auto az = read_trace(write_trace("ok_azure.csv", kAzure), TraceFormat::azure, {});
  REQUIRE(az.size() == 3);
  CHECK(az[0].id == 0);
  CHECK(az[0].arrival_s == 0);
  CHECK(az[0].prompt_tokens == 374);
  CHECK(az[0].output_tokens == 44);
  CHECK(az[1].arrival_s == Approx(4.314579).margin(1e-9));  // 50.9951690 - 46.6805900
  CHECK(az[2].id == 2);
  CHECK(az[2].arrival_s == Approx(4.81941).margin(1e-9));   // 51.5 - 46.68059
  CHECK(az[2].prompt_tokens == 879);
  CHECK(az[2].output_tokens == 28);

  auto mc = read_trace(write_trace("ok_mooncake.jsonl",
                                   "{\"timestamp\": 27482, \"input_length\": 6955, \"output_length\": 52, "
                                   "\"hash_ids\": [46, 47, 48]}\n"
                                   "{\"note\": \"timestamp\", \"hash_ids\": [1, 2], \"output_length\": 10,"
                                   "\"timestamp\":30000.5,\"input_length\" : 100}\r\n"
                                   "\n"
                                   "  {\"timestamp\": 31000, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": []}\n"),
                       TraceFormat::mooncake, {});
  REQUIRE(mc.size() == 3);
  CHECK(mc[0].arrival_s == 0);
  CHECK(mc[0].prompt_tokens == 6955);
  CHECK(mc[0].output_tokens == 52);
  CHECK(mc[1].arrival_s == Approx(2.5185));  // (30000.5 - 27482) ms
  CHECK(mc[1].prompt_tokens == 100);
  CHECK(mc[1].output_tokens == 10);
  CHECK(mc[2].arrival_s == Approx(3.518));
  CHECK(mc[2].prompt_tokens == 1);

  auto ds = read_trace(write_trace("ok_dssim.csv", kDssim), TraceFormat::dssim, {});
  REQUIRE(ds.size() == 5);
  CHECK(ds[0].arrival_s == 0);
  CHECK(ds[1].arrival_s == Approx(0.5));
  CHECK(ds[4].arrival_s == Approx(10.0));
  CHECK(ds[4].id == 4);
  CHECK(ds[4].prompt_tokens == 500);
  CHECK(ds[4].output_tokens == 50);

  CHECK(trace_lengths(write_trace("ok_dssim.csv", kDssim), TraceFormat::dssim, true) ==
        std::vector<long long>{100, 200, 300, 400, 500});
  CHECK(trace_lengths(write_trace("ok_azure.csv", kAzure), TraceFormat::azure, false) ==
        std::vector<long long>{44, 109, 28});
}

TEST_CASE("trace window, rate scale and cap apply in that order", "[workload]") {
  auto path = write_trace("window.csv", kDssim);  // relative times 0, 0.5, 2, 3, 10
  TraceOptions o;
  o.start_s = 0.5;
  o.duration_s = 2.5;  // keeps 0.5 <= t < 3: the rows at 0.5 and 2 (3 is outside)
  o.rate_scale = 2;
  auto r = read_trace(path, TraceFormat::dssim, o);
  REQUIRE(r.size() == 2);
  CHECK(r[0].id == 0);
  CHECK(r[0].arrival_s == Approx(0.0));
  CHECK(r[0].prompt_tokens == 200);
  CHECK(r[1].id == 1);
  CHECK(r[1].arrival_s == Approx(0.75));  // (2 - 0.5) / 2
  CHECK(r[1].prompt_tokens == 300);

  o.max_requests = 1;
  r = read_trace(path, TraceFormat::dssim, o);
  REQUIRE(r.size() == 1);
  CHECK(r[0].prompt_tokens == 200);

  TraceOptions open;  // to the end, stretched: the window starts at 1 s, between rows
  open.start_s = 1.0;
  open.rate_scale = 0.5;
  r = read_trace(path, TraceFormat::dssim, open);
  REQUIRE(r.size() == 3);
  CHECK(r[0].arrival_s == Approx(2.0));   // (2 - 1) / 0.5
  CHECK(r[1].arrival_s == Approx(4.0));   // (3 - 1) / 0.5
  CHECK(r[2].arrival_s == Approx(18.0));  // (10 - 1) / 0.5
  CHECK(r[2].id == 2);

  TraceOptions cap;
  cap.max_requests = 4;
  cap.rate_scale = 4;
  r = read_trace(path, TraceFormat::dssim, cap);
  REQUIRE(r.size() == 4);
  CHECK(r[3].arrival_s == Approx(0.75));  // 3 / 4
}

TEST_CASE("azure timestamps across midnight and month boundaries", "[workload]") {
  auto times = [](const std::string& name, const std::vector<std::string>& stamps) {
    std::string text = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
    for (const auto& s : stamps) text += s + ",10,10\n";
    std::vector<double> t;
    for (const auto& q : read_trace(write_trace(name, text), TraceFormat::azure, {})) t.push_back(q.arrival_s);
    return t;
  };
  auto t = times("midnight.csv", {"2023-11-16 23:59:59.5", "2023-11-17 00:00:00.25", "2023-11-17 00:00:01"});
  CHECK(t[1] == Approx(0.75).margin(1e-9));
  CHECK(t[2] == Approx(1.5).margin(1e-9));
  // Year end: 0.1 s before and after midnight of 1 January.
  t = times("newyear.csv", {"2023-12-31 23:59:59.9000000", "2024-01-01 00:00:00.1000000"});
  CHECK(t[1] == Approx(0.2).margin(1e-9));
  // 30 November → 1 December: one day.
  t = times("month.csv", {"2023-11-30 12:00:00", "2023-12-01 12:00:00.0000001"});
  CHECK(t[1] == Approx(86400.0000001).margin(1e-9));
  // February of a leap year has 29 days: 28 Feb 23:00 → 1 Mar 01:00 is 26 h; of 2023, 2 h.
  t = times("leap.csv", {"2024-02-28 23:00:00", "2024-03-01 01:00:00"});
  CHECK(t[1] == 93600.0);
  t = times("noleap.csv", {"2023-02-28 23:00:00", "2023-03-01 01:00:00"});
  CHECK(t[1] == 7200.0);
  // A full 31-day month: 2023-12-31 00:00 - 2023-12-01 00:00 = 30 days.
  t = times("dec.csv", {"2023-12-01 00:00:00", "2023-12-31 00:00:00"});
  CHECK(t[1] == 30 * 86400.0);
}

TEST_CASE("bad traces name file:line and the reason", "[workload]") {
  const std::string hdr = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
  const std::string row = "2023-11-16 18:15:46.6805900,374,44\n";
  struct Case {
    std::string name, text, where, reason;
  };
  std::vector<Case> cases = {
      {"hdr.csv", "TIMESTAMP,ContextTokens\n" + row, ":1:", "wrong header 'TIMESTAMP,ContextTokens'; expected"},
      {"fields.csv", hdr + row + "2023-11-16 18:15:47,12\n", ":3:", "expected 3 fields"},
      {"prompt_nan.csv", hdr + row + "\n2023-11-16 18:15:47,12x,4\n", ":4:", "ContextTokens: expected an integer"},
      {"output_nan.csv", hdr + "2023-11-16 18:15:47,12,\n", ":2:", "GeneratedTokens: expected an integer"},
      {"date.csv", hdr + row + "2023-13-16 18:15:47,12,4\n", ":3:", "TIMESTAMP: expected a UTC time"},
      {"feb30.csv", hdr + "2023-02-30 00:00:00,12,4\n", ":2:", "TIMESTAMP: expected a UTC time"},
      {"frac8.csv", hdr + "2023-11-16 18:15:46.68059001,12,4\n", ":2:", "got '2023-11-16 18:15:46.68059001'"},
      {"prompt0.csv", hdr + row + "2023-11-16 18:15:47,0,4\n", ":3:", "prompt tokens must be >= 1, got 0"},
      {"promptneg.csv", hdr + "2023-11-16 18:15:47,-5,4\n", ":2:", "prompt tokens must be >= 1, got -5"},
      {"output0.csv", hdr + row + "2023-11-16 18:15:47,12,0\n", ":3:", "output tokens must be >= 1, got 0"},
      {"outputneg.csv", hdr + "2023-11-16 18:15:47,12,-1\n", ":2:", "output tokens must be >= 1, got -1"},
      {"back.csv", hdr + row + "2023-11-16 18:15:45.0000000,12,4\n", ":3:",
       "timestamp '2023-11-16 18:15:45.0000000' is earlier than '2023-11-16 18:15:46.6805900' on line 2"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto path = write_trace(c.name, c.text);
    std::string e = trace_error(path, TraceFormat::azure);
    CHECK(e.find(path + c.where) != std::string::npos);
    CHECK(e.find(c.reason) != std::string::npos);
  }

  // dssim and mooncake rows.
  auto p = write_trace("bad_arrival.csv", "arrival_s,prompt_tokens,output_tokens\n1,2,3\n\r\nsoon,2,3\n");
  std::string e = trace_error(p, TraceFormat::dssim);
  CHECK(e.find(p + ":4: arrival_s: expected a number of seconds, got 'soon'") != std::string::npos);
  p = write_trace("dssim_back.csv", "arrival_s,prompt_tokens,output_tokens\n5,2,3\n4.5,2,3\n");
  e = trace_error(p, TraceFormat::dssim);
  CHECK(e.find(p + ":3: timestamp '4.5' is earlier than '5' on line 2") != std::string::npos);
  p = write_trace("dssim_out0.csv", "arrival_s,prompt_tokens,output_tokens\n5,2,0\n");
  CHECK(trace_error(p, TraceFormat::dssim).find(p + ":2: output_tokens: output tokens must be >= 1") != std::string::npos);
  p = write_trace("wrong_format.csv", kAzure);
  e = trace_error(p, TraceFormat::dssim);
  CHECK(e.find(p + ":1: wrong header") != std::string::npos);
  CHECK(e.find("expected 'arrival_s,prompt_tokens,output_tokens'") != std::string::npos);
  CHECK(e.find("looks like an azure trace") != std::string::npos);

  p = write_trace("mc_missing.jsonl", "{\"timestamp\": 1, \"input_length\": 5, \"output_length\": 2}\n"
                                      "{\"timestamp\": 2, \"input_length\": 5}\n");
  e = trace_error(p, TraceFormat::mooncake);
  CHECK(e.find(p + ":2: missing key \"output_length\"") != std::string::npos);
  p = write_trace("mc_notobj.jsonl", "\n[1, 2, 3]\n");
  CHECK(trace_error(p, TraceFormat::mooncake).find(p + ":2: expected one JSON object per line") != std::string::npos);
  p = write_trace("mc_num.jsonl", "{\"timestamp\": \"soon\", \"input_length\": 5, \"output_length\": 2}\n");
  CHECK(trace_error(p, TraceFormat::mooncake).find(p + ":1: timestamp: expected a number of milliseconds") !=
        std::string::npos);
  p = write_trace("mc_len.jsonl", "{\"timestamp\": 1, \"input_length\": 5.5, \"output_length\": 2}\n");
  CHECK(trace_error(p, TraceFormat::mooncake).find(p + ":1: input_length: expected an integer") != std::string::npos);
  p = write_trace("mc_back.jsonl", "{\"timestamp\": 100, \"input_length\": 5, \"output_length\": 2}\n"
                                   "{\"timestamp\": 99.5, \"input_length\": 5, \"output_length\": 2}\n");
  CHECK(trace_error(p, TraceFormat::mooncake).find(p + ":2: timestamp '99.5' is earlier than '100' on line 1") !=
        std::string::npos);

  // Whole-file problems.
  p = write_trace("empty.csv", "\n\r\n");
  CHECK(trace_error(p, TraceFormat::azure).find(p + ": empty file; expected the header") != std::string::npos);
  p = write_trace("empty.jsonl", "");
  CHECK(trace_error(p, TraceFormat::mooncake).find(p + ": empty file") != std::string::npos);
  p = write_trace("header_only.csv", hdr);
  CHECK(trace_error(p, TraceFormat::azure).find(p + ": no requests") != std::string::npos);
  p = write_trace("window_empty.csv", kDssim);
  TraceOptions late;
  late.start_s = 3.5;
  late.duration_s = 5;
  CHECK(trace_error(p, TraceFormat::dssim, late).find(p + ": no requests in the window [3.5, 8.5) s") !=
        std::string::npos);
  late.start_s = 11;
  late.duration_s = -1;
  CHECK(trace_error(p, TraceFormat::dssim, late).find("no requests in the window") != std::string::npos);
  TraceOptions zero;
  zero.rate_scale = 0;
  CHECK(trace_error(p, TraceFormat::dssim, zero).find(p + ": rate_scale must be > 0, got 0") != std::string::npos);
  zero.rate_scale = -2;
  CHECK(trace_error(p, TraceFormat::dssim, zero).find("rate_scale must be > 0, got -2") != std::string::npos);
  CHECK(trace_error("/nonexistent/trace.csv", TraceFormat::azure) == "/nonexistent/trace.csv: no such file");
  CHECK_THROWS_WITH(trace_lengths("/nonexistent/trace.csv", TraceFormat::dssim, true), "/nonexistent/trace.csv: no such file");
}

TEST_CASE("mooncake rows: only top-level keys count, a nested \"timestamp\" is not the arrival", "[workload]") {
  const auto path = write_trace("nested.jsonl",
                                "{\"meta\": {\"timestamp\": 99000}, \"timestamp\": 5, \"input_length\": 10, \"output_length\": 3}\n"
                                "{\"note\": \"timestamp\", \"timestamp\": 1005, \"input_length\": 20, \"output_length\": 4,"
                                " \"extra\": [{\"timestamp\": 1}]}\n");
  const auto r = read_trace(path, TraceFormat::mooncake, {});
  REQUIRE(r.size() == 2);
  CHECK(r[1].arrival_s == Approx(1.0));  // (1005 - 5) ms: the top-level values, not 99000 or 1
  CHECK(r[1].prompt_tokens == 20);
}

TEST_CASE("prefix hashes: mooncake hash_ids and the dssim trace's optional hash_ids column", "[workload][prefix]") {
  const auto mc = write_trace("hashes.jsonl",
                              "{\"timestamp\": 0, \"input_length\": 1100, \"output_length\": 5, \"hash_ids\": [0, 1, 2]}\n"
                              "{\"timestamp\": 10, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": []}\n"
                              "{\"timestamp\": 20, \"input_length\": 600, \"output_length\": 5}\n");
  const auto r = read_trace(mc, TraceFormat::mooncake, {});
  REQUIRE(r.size() == 3);
  CHECK(r[0].hash_ids == std::vector<std::uint64_t>{0, 1, 2});
  CHECK(r[1].hash_ids.empty());
  CHECK(r[2].hash_ids.empty());
  auto mc_error = [](const std::string& row) {
    return trace_error(write_trace("bad_hashes.jsonl", row + "\n"), TraceFormat::mooncake);
  };
  CHECK(mc_error(R"({"timestamp": 0, "input_length": 9, "output_length": 1, "hash_ids": [1, x]})")
            .find("bad_hashes.jsonl:1: hash_ids: expected non-negative integer block hashes, got 'x'") != std::string::npos);
  CHECK(mc_error(R"({"timestamp": 0, "input_length": 9, "output_length": 1, "hash_ids": [-3]})")
            .find("got '-3'") != std::string::npos);
  CHECK(mc_error(R"({"timestamp": 0, "input_length": 9, "output_length": 1, "hash_ids": 7})")
            .find("hash_ids: expected an array of integer block hashes") != std::string::npos);

  const auto ds = write_trace("hashes.csv", "arrival_s,prompt_tokens,output_tokens,hash_ids\n0,1024,5,11 12\n0.5,600,3,\n");
  const auto d = read_trace(ds, TraceFormat::dssim, {});
  REQUIRE(d.size() == 2);
  CHECK(d[0].hash_ids == std::vector<std::uint64_t>{11, 12});
  CHECK(d[1].hash_ids.empty());
  const auto short_row = write_trace("short.csv", "arrival_s,prompt_tokens,output_tokens,hash_ids\n0,1024,5\n");
  CHECK(trace_error(short_row, TraceFormat::dssim).find("short.csv:2: expected 4 fields") != std::string::npos);
  const auto bad_id = write_trace("bad_id.csv", "arrival_s,prompt_tokens,output_tokens,hash_ids\n0,1024,5,1 two\n");
  CHECK(trace_error(bad_id, TraceFormat::dssim).find("bad_id.csv:2: hash_ids: expected non-negative integer block hashes, got 'two'") != std::string::npos);
  // A plain dssim trace reads as before, without hashes.
  const auto plain = write_trace("plain.csv", "arrival_s,prompt_tokens,output_tokens\n0,10,2\n");
  CHECK(read_trace(plain, TraceFormat::dssim, {})[0].hash_ids.empty());
}

TEST_CASE("trace format names", "[workload]") {
  CHECK(parse_trace_format("azure", "--trace-format") == TraceFormat::azure);
  CHECK(parse_trace_format("mooncake", "") == TraceFormat::mooncake);
  CHECK(parse_trace_format("dssim", "") == TraceFormat::dssim);
  CHECK_THROWS_WITH(parse_trace_format("azur", "--trace-format"),
                    "--trace-format: unknown trace format 'azur'; expected azure, mooncake or dssim; did you mean 'azure'?");
  CHECK_THROWS_WITH(parse_trace_format("qqqqqqqqqq", "x"), !Catch::Contains("did you mean"));
}

TEST_CASE("rng is deterministic and its distributions have the right moments", "[workload]") {
  // xoshiro256** seeded by splitmix64(1), checked against an independent transcription of the reference.
  Rng ref(1);
  CHECK(ref.next() == 0xb3f2af6d0fc710c5ULL);
  CHECK(ref.next() == 0x853b559647364ceaULL);
  CHECK(ref.next() == 0x92f89756082a4514ULL);
  Rng a(42), b(42), c(43);
  bool differ = false;
  for (int i = 0; i < 1000; ++i) {
    std::uint64_t x = a.next();
    CHECK(x == b.next());
    differ = differ || x != c.next();
  }
  CHECK(differ);
  Rng n1(7), n2(7);
  for (int i = 0; i < 101; ++i) CHECK(n1.normal() == n2.normal());
  for (int i = 0; i < 100; ++i) CHECK(n1.gamma(0.3, 2.0) == n2.gamma(0.3, 2.0));

  const int n = 200000;
  Rng r(2024);
  std::vector<double> u, e, z, g1, g2;
  double umin = 1, umax = 0;
  for (int i = 0; i < n; ++i) {
    u.push_back(r.uniform());
    umin = std::min(umin, u.back());
    umax = std::max(umax, u.back());
    e.push_back(r.exponential(2.0));
    z.push_back(r.normal());
    g1.push_back(r.gamma(0.25, 2.0));  // mean 0.5, variance 1
    g2.push_back(r.gamma(4.0, 0.5));   // mean 2, variance 1
  }
  CHECK(umin > 0);
  CHECK(umax < 1);
  CHECK(moments(u).mean == Approx(0.5).margin(0.005));
  CHECK(moments(u).var == Approx(1.0 / 12).epsilon(0.02));
  CHECK(moments(e).mean == Approx(0.5).epsilon(0.01));
  CHECK(moments(e).var == Approx(0.25).epsilon(0.03));
  CHECK(moments(z).mean == Approx(0.0).margin(0.01));
  CHECK(moments(z).var == Approx(1.0).epsilon(0.02));
  CHECK(moments(g1).mean == Approx(0.5).epsilon(0.02));
  CHECK(moments(g1).var == Approx(1.0).epsilon(0.05));
  CHECK(moments(g2).mean == Approx(2.0).epsilon(0.01));
  CHECK(moments(g2).var == Approx(1.0).epsilon(0.03));
  for (double x : g1) REQUIRE(x >= 0);

  CHECK_THROWS_AS(r.exponential(0), Error);
  CHECK_THROWS_AS(r.gamma(0, 1), Error);
  CHECK_THROWS_AS(r.gamma(1, -1), Error);
}

TEST_CASE("synthetic arrivals: poisson and gamma rate and cv", "[workload]") {
  LengthDist fixed;
  fixed.value = 128;
  ArrivalSpec a;
  a.rate_per_s = 5;
  a.requests = 100000;
  a.seed = 11;
  auto r = synthesize(a, fixed, fixed);
  REQUIRE(r.size() == 100000);
  CHECK(r.front().id == 0);
  CHECK(r.back().id == 99999);
  CHECK(r.front().arrival_s > 0);
  for (std::size_t i = 1; i < r.size(); ++i) REQUIRE(r[i].arrival_s >= r[i - 1].arrival_s);
  CHECK(static_cast<double>(r.size()) / r.back().arrival_s == Approx(5.0).epsilon(0.02));
  auto m = moments(inter_arrivals(r));
  CHECK(std::sqrt(m.var) / m.mean == Approx(1.0).epsilon(0.02));
  CHECK(synthesize(a, fixed, fixed).back().arrival_s == r.back().arrival_s);  // same seed, same workload
  a.seed = 12;
  CHECK(synthesize(a, fixed, fixed).back().arrival_s != r.back().arrival_s);

  a.kind = ArrivalSpec::Kind::gamma;
  a.cv = 3;
  r = synthesize(a, fixed, fixed);
  m = moments(inter_arrivals(r));
  CHECK(1.0 / m.mean == Approx(5.0).epsilon(0.05));
  CHECK(std::sqrt(m.var) / m.mean == Approx(3.0).epsilon(0.05));
  a.cv = 0.5;
  m = moments(inter_arrivals(synthesize(a, fixed, fixed)));
  CHECK(1.0 / m.mean == Approx(5.0).epsilon(0.02));
  CHECK(std::sqrt(m.var) / m.mean == Approx(0.5).epsilon(0.03));

  ArrivalSpec bad;
  bad.rate_per_s = 0;
  CHECK_THROWS_WITH(synthesize(bad, fixed, fixed), Catch::Contains("rate_per_s must be > 0"));
  bad = {};
  bad.kind = ArrivalSpec::Kind::gamma;
  bad.cv = 0;
  CHECK_THROWS_WITH(synthesize(bad, fixed, fixed), Catch::Contains("cv must be > 0"));
  bad = {};
  bad.requests = 0;
  CHECK_THROWS_WITH(synthesize(bad, fixed, fixed), Catch::Contains("requests must be >= 1"));
}

TEST_CASE("synthetic lengths: fixed, uniform, lognormal, empirical", "[workload]") {
  ArrivalSpec a;
  a.requests = 100000;
  a.seed = 3;
  LengthDist fixed;
  fixed.value = 77;
  LengthDist uni;
  uni.kind = LengthDist::Kind::uniform;
  uni.min = 10;
  uni.max = 20;
  auto r = synthesize(a, fixed, uni);
  std::vector<double> outs;
  long long lo = 1000, hi = 0;
  for (const auto& q : r) {
    REQUIRE(q.prompt_tokens == 77);
    lo = std::min(lo, q.output_tokens);
    hi = std::max(hi, q.output_tokens);
    outs.push_back(static_cast<double>(q.output_tokens));
  }
  CHECK(lo == 10);
  CHECK(hi == 20);
  CHECK(moments(outs).mean == Approx(mean_length(uni)).epsilon(0.01));
  CHECK(mean_length(uni) == 15.0);
  CHECK(mean_length(fixed) == 77.0);

  LengthDist logn;
  logn.kind = LengthDist::Kind::lognormal;
  logn.median = 1000;
  logn.sigma = 0.8;
  logn.max = 0;  // no clamp
  LengthDist emp;
  emp.kind = LengthDist::Kind::empirical;
  emp.samples = {3, 7, 7, 100};
  r = synthesize(a, logn, emp);
  std::vector<long long> prompts;
  std::vector<double> pd;
  std::set<long long> seen;
  for (const auto& q : r) {
    prompts.push_back(q.prompt_tokens);
    pd.push_back(static_cast<double>(q.prompt_tokens));
    REQUIRE(q.prompt_tokens >= 1);
    REQUIRE((q.output_tokens == 3 || q.output_tokens == 7 || q.output_tokens == 100));
    seen.insert(q.output_tokens);
  }
  CHECK(seen.size() == 3);
  std::nth_element(prompts.begin(), prompts.begin() + 50000, prompts.end());
  CHECK(static_cast<double>(prompts[50000]) == Approx(1000).epsilon(0.03));
  CHECK(mean_length(logn) == Approx(1000 * std::exp(0.32)));
  CHECK(moments(pd).mean == Approx(mean_length(logn)).epsilon(0.03));
  CHECK(mean_length(emp) == 29.25);

  logn.min = 500;  // clamped lognormal
  logn.max = 1500;
  Rng rng(5);
  bool hit_lo = false, hit_hi = false;
  for (int i = 0; i < 10000; ++i) {
    long long v = sample_length(logn, rng);
    REQUIRE(v >= 500);
    REQUIRE(v <= 1500);
    hit_lo = hit_lo || v == 500;
    hit_hi = hit_hi || v == 1500;
  }
  CHECK(hit_lo);
  CHECK(hit_hi);

  LengthDist bad;
  bad.value = 0;
  CHECK_THROWS_WITH(sample_length(bad, rng), Catch::Contains("value must be >= 1"));
  bad = uni;
  bad.min = 30;
  CHECK_THROWS_WITH(sample_length(bad, rng), Catch::Contains("expected 1 <= min <= max"));
  bad = emp;
  bad.samples.clear();
  CHECK_THROWS_WITH(synthesize(a, fixed, bad), Catch::Contains("no samples"));
  bad = logn;
  bad.median = 0;
  CHECK_THROWS_WITH(mean_length(bad), Catch::Contains("median must be > 0"));
}
