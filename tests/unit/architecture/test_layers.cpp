// The layout cannot decay: every #include in sim/ points down the layers of sim/layers.txt.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace {

// folder -> layer index (lowest 0)
std::map<std::string, int> read_layers(const fs::path& file) {
  std::map<std::string, int> rank;
  std::ifstream in(file);
  std::string line;
  int layer = 0;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string w;
    bool any = false;
    while (words >> w) {
      rank[w] = layer;
      any = true;
    }
    if (any) ++layer;
  }
  return rank;
}

}  // namespace

TEST_CASE("every include in sim/ goes down the declared layers", "[layers]") {
  const fs::path sim = fs::path(DSSIM_TEST_DATA_DIR) / "sim";
  const auto rank = read_layers(sim / "layers.txt");
  REQUIRE(rank.size() > 5);
  const std::regex include_re(R"re(^\s*#\s*include\s+"([A-Za-z0-9_]+)/)re");
  std::vector<std::string> upward, undeclared;
  int edges = 0;
  for (const auto& e : fs::recursive_directory_iterator(sim)) {
    if (!e.is_regular_file()) continue;
    const auto ext = e.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    const fs::path rel = fs::relative(e.path(), sim);
    const std::string folder = rel.has_parent_path() ? rel.begin()->string() : "main";
    if (!rank.count(folder)) {
      undeclared.push_back(folder + " (" + rel.string() + ")");
      continue;
    }
    std::ifstream in(e.path());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      std::smatch m;
      if (!std::regex_search(line, m, include_re)) continue;
      const std::string target = m[1];
      if (target == folder) continue;
      ++edges;
      auto t = rank.find(target);
      if (t == rank.end() || t->second >= rank.at(folder))
        upward.push_back("sim/" + rel.string() + ":" + std::to_string(n) + " includes " + target + "/ (" +
                         (t == rank.end() ? "not in layers.txt" : "not below " + folder) + ")");
    }
  }
  INFO("folders missing from sim/layers.txt: " << undeclared.size());
  for (const auto& u : undeclared) INFO(u);
  CHECK(undeclared.empty());
  std::ostringstream list;
  for (const auto& u : upward) list << "\n  " << u;
  INFO(edges << " includes across folders; against the layers:" << list.str());
  CHECK(upward.empty());
  CHECK(edges > 100);  // the scan found the includes at all
}
