#include <catch2/catch.hpp>

#include <cmath>

#include "util/json.hpp"

using namespace dssim;

TEST_CASE("JSON numbers: whole numbers as integers with every digit, others to 10 digits, NaN as null", "[util]") {
  JsonWriter j;
  j.begin_object().value("bytes", 33714847744.0).value("usd", 15000.0).value("neg", -3.0).value("rate", 3.43088125);
  j.value("tiny", 1.5e-7).value("nan", std::nan("")).value("huge", 1e300).end_object();
  const std::string s = j.str();
  CHECK(s.find("\"bytes\": 33714847744") != std::string::npos);
  CHECK(s.find("\"usd\": 15000") != std::string::npos);
  CHECK(s.find("\"neg\": -3") != std::string::npos);
  CHECK(s.find("\"rate\": 3.43088125") != std::string::npos);
  CHECK(s.find("\"tiny\": 1.5e-07") != std::string::npos);
  CHECK(s.find("\"nan\": null") != std::string::npos);
  CHECK(s.find("\"huge\": 1e+300") != std::string::npos);  // beyond 2^53: not an exact integer
}
