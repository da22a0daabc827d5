#include <catch2/catch.hpp>

#include "util/csv.hpp"

using namespace dssim;

TEST_CASE("CSV fields: quoted only when needed, and read back whole", "[csv]") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a, b") == "\"a, b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  const std::vector<std::string> row{"0", "a, b", "say \"hi\", x", "", "line\nbreak"};
  std::vector<std::string> back;
  REQUIRE(parse_csv_line(csv_line(row), back));
  CHECK(back == row);
  CHECK_FALSE(parse_csv_line("1,\"unclosed", back));
}
