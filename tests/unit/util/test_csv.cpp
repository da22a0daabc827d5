#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "util/csv.hpp"
#include "util/error.hpp"

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

TEST_CASE("a CSV header naming a column twice is refused, naming both fields (fuzzer find)", "[csv]") {
  namespace fs = std::filesystem;
  const fs::path p = fs::temp_directory_path() / "dssim_csv_duplicate_column.csv";
  {
    std::ofstream out(p);
    // the second power.draw would be field 3 of a 2-field row: read past its end before the check
    out << "timestamp,power.draw,power.draw\n2024/01/01 00:00:00.000,100\n";
  }
  try {
    (void)CsvTable::read(p.string());
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == p.string() + ":1: column 'power.draw' appears twice (fields 2 and 3)");
  }
  fs::remove(p);
}
