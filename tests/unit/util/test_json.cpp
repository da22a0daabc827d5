#include <catch2/catch.hpp>

#include <cmath>

#include "util/error.hpp"
#include "util/json.hpp"

#include <string>
#include <vector>

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

TEST_CASE("JSON numbers from 1e10 up are integers with every digit while exact", "[util]") {
  JsonWriter j;
  j.begin_object().value("total_bytes", 73033481834.5).value("flops", 3.2e15 + 0.25).end_object();
  const std::string s = j.str();
  CHECK(s.find("\"total_bytes\": 73033481835") != std::string::npos);  // not 7.303348183e+10
  CHECK(s.find("\"flops\": 3200000000000000") != std::string::npos);
  JsonWriter k;
  k.begin_object().value("clock_mhz", 1409.9999999999).end_object();
  CHECK(k.str().find("\"clock_mhz\": 1410\n") != std::string::npos);  // rounded to 10 digits: an integer, not 1410.0
}

TEST_CASE("JSON documents: the envelope, keys in writing order, escapes, arrays", "[util]") {
  JsonWriter j;
  j.begin_document("fixed_batch").value("zeta", 1).value("alpha", "a\"b\\c\n");
  j.begin_array("list").value("", 1.25).begin_object().value("k", true).end_object().end_array();
  j.begin_array("empty").end_array().null("none").end_object();
  const auto doc = nlohmann::ordered_json::parse(j.str());
  REQUIRE(doc.is_object());
  std::vector<std::string> keys;
  for (const auto& [k, v] : doc.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"dssim_version", "kind", "zeta", "alpha", "list", "empty", "none"});
  CHECK(doc["dssim_version"] == DSSIM_VERSION);
  CHECK(doc["kind"] == "fixed_batch");
  CHECK(doc["alpha"] == "a\"b\\c\n");
  CHECK(doc["list"][0] == 1.25);
  CHECK(doc["list"][1]["k"] == true);
  CHECK(doc["empty"].empty());
  CHECK(doc["none"].is_null());
}

TEST_CASE("JSON strings that are not UTF-8 print as U+FFFD instead of failing", "[util]") {
  JsonWriter j;
  j.begin_object().value("scenario", std::string("bad\xff\xfename")).end_object();
  const auto doc = nlohmann::json::parse(j.str());
  CHECK(doc["scenario"] == "bad\xef\xbf\xbd\xef\xbf\xbdname");
}

TEST_CASE("JSON writer refuses a key written twice and unbalanced ends (internal errors)", "[util]") {
  JsonWriter twice;
  twice.begin_object().value("a", 1);
  CHECK_THROWS_AS(twice.value("a", 2), Error);
  JsonWriter wrong;
  wrong.begin_object();
  CHECK_THROWS_AS(wrong.end_array(), Error);
  JsonWriter open;
  open.begin_object();
  CHECK_THROWS_AS(open.str(), Error);
}
