#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "util/input_file.hpp"

using namespace dssim;

TEST_CASE("a whole file as text, absent, a folder or a FIFO is nothing there", "[util]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "dssim_input_file_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path f = dir / "a.txt";
  {
    std::ofstream out(f, std::ios::binary);
    out << "line one\n" << std::string(1, '\0') << "after a NUL\n";
  }
  const auto text = read_whole_file(f.string());
  REQUIRE(text);
  CHECK(*text == std::string("line one\n") + std::string(1, '\0') + "after a NUL\n");
  CHECK_FALSE(read_whole_file((dir / "missing").string()));
  CHECK_FALSE(read_whole_file(dir.string()));
  CHECK_FALSE(read_whole_file("/dev/null"));  // a character device, not a regular file
  fs::remove_all(dir);
}
