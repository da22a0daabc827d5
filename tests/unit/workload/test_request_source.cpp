#include <catch2/catch.hpp>

#include "util/error.hpp"
#include "workload/request_source.hpp"
#include "workload/synthetic.hpp"
#include "workload/trace_reader.hpp"

#include "test_files.hpp"

using namespace dssim;

namespace {
std::vector<Request> drain(const RequestSource& s) {
  std::vector<Request> out;
  const auto c = s.open();
  for (Request r; c->next(r);) out.push_back(r);
  return out;
}
}  // namespace

TEST_CASE("a list source: its requests in order, as often as asked, and their figures by hand", "[workload]") {
  std::vector<Request> v{{0, 0.5, 100, 10, {}}, {1, 1.5, 300, 20, {7, 8}}, {2, 4.0, 200, 400, {}}};
  const auto s = list_source(v);
  CHECK(s->stats().count == 3);
  CHECK(s->stats().hashed == 1);
  CHECK(s->stats().longest_prompt == 300);
  CHECK(s->stats().longest == 600);  // 200 + 400
  CHECK(s->stats().prompt_sum == 600);
  CHECK(s->stats().output_sum == 430);
  CHECK(s->stats().last_arrival_s == 4.0);
  const auto a = drain(*s), b = drain(*s);
  REQUIRE(a.size() == 3);
  CHECK(a[1].hash_ids == std::vector<std::uint64_t>{7, 8});
  CHECK(b[2].arrival_s == 4.0);
  const auto view = view_source(v);
  CHECK(drain(*view).size() == 3);
  CHECK(view->stats().output_sum == 430);
}

TEST_CASE("a synthetic source draws the same stream on every pass, and synthesize() is that stream", "[workload]") {
  ArrivalSpec a;
  a.kind = ArrivalSpec::Kind::gamma;
  a.rate_per_s = 3;
  a.cv = 2;
  a.requests = 5000;
  a.seed = 42;
  LengthDist p, o;
  p.kind = o.kind = LengthDist::Kind::uniform;
  p.min = 10, p.max = 2000;
  o.min = 1, o.max = 500;
  const auto s = synthetic_source(a, p, o);
  const auto one = drain(*s), two = drain(*s), list = synthesize(a, p, o);
  REQUIRE(one.size() == 5000);
  double prompt = 0;
  long long longest = 0;
  for (std::size_t i = 0; i < one.size(); ++i) {
    CHECK(one[i].arrival_s == two[i].arrival_s);
    CHECK(one[i].prompt_tokens == list[i].prompt_tokens);
    CHECK(one[i].output_tokens == two[i].output_tokens);
    CHECK(one[i].id == static_cast<long long>(i));
    prompt += static_cast<double>(one[i].prompt_tokens);
    longest = std::max(longest, one[i].prompt_tokens + one[i].output_tokens);
  }
  CHECK(s->stats().count == 5000);
  CHECK(s->stats().prompt_sum == prompt);
  CHECK(s->stats().longest == longest);
  CHECK(s->stats().last_arrival_s == one.back().arrival_s);
  CHECK(s->stats().hashed == 0);
  a.requests = 0;
  CHECK_THROWS_AS(synthetic_source(a, p, o), Error);  // reported when the source is built
}

TEST_CASE("a trace source reads its file again on each pass, and a file changed between passes is an error", "[workload]") {
  const std::string path = write_test_file("source_trace.csv",
                                           "arrival_s,prompt_tokens,output_tokens\n10.0,100,10\n10.5,200,20\n12.0,300,30\n"
                                           "13.0,400,40\n20.0,500,50\n");
  TraceOptions o;
  o.start_s = 0.5;
  o.duration_s = 3;  // rows at 0.5, 2 and 3 s after the first
  const auto s = trace_source(path, TraceFormat::dssim, o);
  CHECK(s->stats().count == 3);
  CHECK(s->stats().last_arrival_s == Approx(2.5));
  CHECK(s->stats().output_sum == 90);
  const auto a = drain(*s), b = drain(*s);
  REQUIRE(a.size() == 3);
  CHECK(a[0].arrival_s == 0);
  CHECK(a[2].prompt_tokens == 400);
  CHECK(b[2].id == 2);
  // a later pass that finds fewer requests than the first
  write_test_file("source_trace.csv", "arrival_s,prompt_tokens,output_tokens\n10.0,100,10\n10.5,200,20\n");
  try {
    drain(*s);
    FAIL("a shorter file was read without a word");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("the file changed while dssim was reading it (3 requests at first, now 1)") !=
          std::string::npos);
  }
}
