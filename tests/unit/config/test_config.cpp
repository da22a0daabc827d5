#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "config/catalog.hpp"
#include "config/toml_guard.hpp"
#include "scenario/scenario.hpp"
#include "power/thermal.hpp"
#include "test_files.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

using namespace dssim;

namespace {
std::string write_tmp(const std::string& name, const std::string& text) { return write_test_file("dssim_test_" + name, text); }
const char* kBase = R"([model]
name = "deepseek-llm-7b"
weights = "bf16"
[platform]
gpu = "h200-sxm"
[workload]
batch = 2
prompt_tokens = 100
output_tokens = 10
)";
std::string error_of(const std::string& path, std::vector<std::string> sets = {}) {
  try {
    load_scenario(path, sets);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("closest key suggestions", "[config]") {
  CHECK(edit_distance("max_bach", "max_batch") == 1);
  CHECK(closest("max_bach", {"max_batch", "cuda_graphs", "tensor_parallel"}) == "max_batch");
  CHECK(closest("zzzzzzzz", {"max_batch", "cuda_graphs"}).empty());
}

TEST_CASE("a scenario parses and --set overrides keep their types", "[config]") {
  auto path = write_tmp("ok.toml", kBase);
  Scenario s = load_scenario(path, {"workload.batch=8", "serving.cuda_graphs=false", "model.weights=int8"});
  CHECK(s.workload.batch == 8);
  CHECK_FALSE(s.cuda_graphs);
  CHECK(s.weights == Precision::int8);
  CHECK(s.gpu == "h200-sxm");
  CHECK(s.gpu_count == 1);
  CHECK(s.workload.prompt_tokens == 100);
}

TEST_CASE("scenario errors name file, line, key and the expectation", "[config]") {
  auto unknown = write_tmp("unknown.toml", std::string(kBase) + "[serving]\nmax_bach = 3\n");
  std::string e = error_of(unknown);
  CHECK(e.find(unknown + ":11: unknown key 'serving.max_bach'; did you mean 'max_batch'?") != std::string::npos);
  auto negative = write_tmp("neg.toml", kBase);
  e = error_of(negative, {"workload.batch=-1"});
  CHECK(e.find("key 'workload.batch' (from --set): expected an integer in [1,") != std::string::npos);
  e = error_of(write_tmp("type.toml", kBase), {"workload.prompt_tokens=\"many\""});
  CHECK(e.find("expected an integer") != std::string::npos);
  CHECK(e.find("(from --set)") != std::string::npos);
  CHECK(e.find("many") != std::string::npos);
  e = error_of(write_tmp("syntax.toml", "[model\nname = 1\n"));
  CHECK(e.find("syntax.toml:1:") != std::string::npos);
  CHECK(error_of("/nonexistent/x.toml").find("no such file") != std::string::npos);
  std::string no_weights = kBase;
  no_weights.erase(no_weights.find("weights = \"bf16\"\n"), 17);
  e = error_of(write_tmp("noweights.toml", no_weights));
  CHECK(e.find("missing required key 'weights' (a string) in [model]") != std::string::npos);
  e = error_of(write_tmp("both.toml", std::string(kBase) + "[cost]\ncloud_usd_per_gpu_hour = 1\ncloud_term = \"spot\"\n"));
  CHECK(e.find("both.toml:11: key 'cost.cloud_usd_per_gpu_hour': give either cloud_usd_per_gpu_hour or cloud_term, not both") !=
        std::string::npos);
}

TEST_CASE("every shipped card and scenario loads", "[config]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  CHECK(cat.gpu_ids().size() == 16);
  for (const auto& id : cat.gpu_ids()) {
    INFO(id);
    GpuCard g = cat.gpu(id);
    CHECK_NOTHROW(load_cooling(cat.cooling_path(g.cooling)));  // its default cooling exists
  }
  CHECK(cat.gpu("rtx-4090").cooling == "consumer-case");
  CHECK(cat.gpu("jetson-agx-orin-64g").cooling == "passive-module");
  CHECK(cat.gpu("h200-sxm").cooling == "datacenter-air");
  for (const auto& id : cat.node_ids()) {
    NodeSpec n = cat.node(id);
    CHECK_NOTHROW(cat.gpu(n.gpu));
  }
  for (const auto& p : cat.scenario_paths()) {
    INFO(p);
    Scenario s = load_scenario(std::string(DSSIM_TEST_DATA_DIR) + "/" + p, {});
    CHECK_NOTHROW(cat.model(s.model));
  }
  CHECK_THROWS_WITH(cat.gpu("h100-sxm5"), Catch::Contains("did you mean 'h100-sxm'"));
}

TEST_CASE("the TOML guard refuses what toml++ 3.3 would mishandle, and only that", "[config][toml][safety]") {
  // valid files pass, non-ASCII inside strings and comments included
  CHECK_FALSE(toml_text_hazard("name = \"données\" # café\n[a]\nb = 'é'\nc = \"\"\"\nmulti é\n\"\"\"\nd = '''é'''\n"));
  CHECK_FALSE(toml_text_hazard("s = \"a\\\"b\" # escaped quote, then a comment with é\n"));
  CHECK_FALSE(toml_text_hazard("s = \"\"\"\\\n   ascii after a line-ending backslash\"\"\"\n"));
  // outside strings and comments: always a syntax error, refused with its place
  CHECK(toml_text_hazard("name = \"x\"\xc2\xa1\n") == std::optional<std::string>("1:11: a non-ASCII character outside a string or comment"));
  CHECK(toml_text_hazard("a = 1\nk\xcc\x87y = 2\n").value().rfind("2:2:", 0) == 0);
  // toml++ issue 190: a line-ending backslash, then a non-ASCII character on the next line
  const auto h = toml_text_hazard("s = \"\"\"\\\n\xc2\xa7\"\"\"\n");
  REQUIRE(h);
  CHECK(h->rfind("2:1: a non-ASCII character right after a backslash", 0) == 0);
  CHECK(toml_text_hazard("s = \"\\\xc3\xa9\"\n"));  // right after a backslash in a one-line string
  CHECK_FALSE(toml_text_hazard("s = '\\\xc3\xa9'\n"));  // a literal string has no escapes
}

TEST_CASE("every shipped TOML file passes the guard", "[config][toml][safety]") {
  namespace fs = std::filesystem;
  int files = 0;
  for (const char* dir : {"models", "platforms", "scenarios", "validation"})
    for (const auto& e : fs::recursive_directory_iterator(fs::path(DSSIM_TEST_DATA_DIR) / dir)) {
      if (e.path().extension() != ".toml") continue;
      std::ifstream in(e.path(), std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      INFO(e.path().string());
      CHECK_FALSE(toml_text_hazard(text));
      ++files;
    }
  CHECK(files > 100);
}

TEST_CASE("the TOML guard opens strings only where TOML lets them stand", "[config][toml][safety]") {
  // found by fuzz_scenario: a quote glued to a bare value is no string for toml++, which then asks
  // about the whitespace-ness of the non-ASCII characters after it
  CHECK(toml_text_hazard("name =0\"xx\"\"\xd0\x90\xd0\x90\"\"\"\n"));
  CHECK(toml_text_hazard("a = \"x\"\"\xd0\x90\"\n"));
  // strings as keys, values, array items over several lines, inline tables and dotted keys pass
  CHECK_FALSE(toml_text_hazard("\"quoted key\" = 1\na.\"b\u00e9\" = 2\nl = [\n  \"\u00e9\", # c\n  '\u00e9',\n]\nt = { k = \"\u00e9\", \"m\" = '\u00e9' }\n[\"h\u00e9\"]\n"));
  CHECK_FALSE(toml_text_hazard("a = \"x\"\r\nb = \"\u00e9\"\r\n"));
}

TEST_CASE("the TOML guard reads a bare value as toml++ does: one token to a space or delimiter", "[config][toml][safety]") {
  // found by fuzz_scenario's third round: '=' and a quote inside a bare value open nothing
  CHECK(toml_text_hazard(std::string("n=1-ZDist::=\x1d======'\0\0\0" "2===\xef\xbb\xbb==\n", 33)));
  CHECK(toml_text_hazard("a = 12'\xc3\xa9'\n"));
  CHECK(toml_text_hazard("a = [1, 2x\"\xc3\xa9\"]\n"));
  // bare values, arrays, headers and inline tables of valid files pass
  CHECK_FALSE(toml_text_hazard("[a]\nb = 1\nc = [1, 'x', \"\xc3\xa9\", [2, \"\xc3\xa9\"]]\n[[d]]\ne = { f = 1, g = \"\xc3\xa9\" }\nh = 2026-12-07\n[\"\xc3\xa9\"]\n"));
}

TEST_CASE("node files: CXL expanders need their rate and capacity, and CXL keys need expanders", "[config]") {
  const std::string base = "id = \"n\"\nname = \"n\"\ngpu = \"h100-sxm\"\ngpu_count = 8\ninterconnect = \"nvswitch\"\nhost_power_w = 100\n";
  const NodeSpec ok = load_node_spec(write_tmp("cxl_ok.toml", base + "cxl_expanders = 4\ncxl_GBps = 28\ncxl_memory_gib = 256\n"));
  CHECK(ok.cxl_total_Bps() == 4 * 28e9);
  CHECK(ok.cxl_capacity_bytes() == 4 * 256.0 * 1024 * 1024 * 1024);
  CHECK(ok.cxl_latency_s == 0);
  CHECK_THROWS_WITH(load_node_spec(write_tmp("cxl_norate.toml", base + "cxl_expanders = 2\ncxl_memory_gib = 256\n")),
                    Catch::Contains("cxl_expanders = 2 needs cxl_GBps"));
  CHECK_THROWS_WITH(load_node_spec(write_tmp("cxl_noexp.toml", base + "cxl_GBps = 28\n")),
                    Catch::Contains("set cxl_expanders > 0 or remove it"));
}
