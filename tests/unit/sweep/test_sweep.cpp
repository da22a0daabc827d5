#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "sweep/sweep.hpp"
#include "test_files.hpp"
#include "util/error.hpp"

using namespace dssim;

namespace {
std::string write_tmp(const std::string& name, const std::string& text) { return write_test_file("dssim_sweep_" + name, text); }
}  // namespace

TEST_CASE("sweep points: the Cartesian product, last axis fastest, values as TOML literals", "[sweep]") {
  write_tmp("base.toml", "x = 1\n");
  SweepSpec s = load_sweep(write_tmp("s.toml", "base = \"dssim_sweep_base.toml\"\n[axes]\n\"platform.gpu\" = [\"a\", \"b\"]\n"
                                                "\"workload.batch\" = [1, 2, 3]\n"));
  REQUIRE(s.axes.size() == 2);
  CHECK(s.points() == 6);
  CHECK(sweep_point(s, 0) == std::vector<std::size_t>{0, 0});
  CHECK(sweep_point(s, 4) == std::vector<std::size_t>{1, 1});
  CHECK(s.axes[0].plain[1] == "b");
  CHECK(s.axes[0].literal[1].find('b') != std::string::npos);
  CHECK(s.axes[0].literal[1].front() != 'b');  // quoted for --set
  CHECK(s.axes[1].literal[2] == "3");
  CHECK(results_header(s).rfind("point,platform.gpu,workload.batch,status,fits,", 0) == 0);
}

TEST_CASE("sweep rows take a fixed batch's single value as p50 and p99", "[sweep]") {
  write_tmp("base.toml", "x = 1\n");
  SweepSpec s = load_sweep(write_tmp("s2.toml", "base = \"dssim_sweep_base.toml\"\n[axes]\n\"workload.batch\" = [8]\n"));
  auto kv = parse_key_values("key,value\nfits,true\ntpot_s,0.02\nttft_s,0.5\ne2e_s,3\nthroughput_tok_s,100\n");
  CHECK(result_row(s, 0, kv, "ok") == "0,8,ok,true,0.5,0.5,0.02,0.02,3,3,100,,,,,,,,,");
  auto serving = parse_key_values("tpot_s.p50,0.01\ntpot_s.p99,0.05\nfits,true\n");
  CHECK(result_row(s, 0, serving, "ok").find(",0.01,0.05,") != std::string::npos);
}

TEST_CASE("the Pareto front keeps what no other point beats on both latency and cost", "[sweep]") {
  std::vector<std::vector<std::string>> rows{{"point", "lat", "cost"}, {"0", "1", "5"}, {"1", "2", "3"},
                                             {"2", "3", "4"},          {"3", "4", "1"}, {"4", "", "1"}};
  auto f = pareto_front(rows, "lat", "cost");
  REQUIRE(f.size() == 4);  // header + points 0, 1, 3; point 2 is beaten by 1; point 4 has no latency
  CHECK(f[1][0] == "0");
  CHECK(f[2][0] == "1");
  CHECK(f[3][0] == "3");
}

TEST_CASE("sweep file errors", "[sweep]") {
  CHECK_THROWS_WITH(load_sweep(write_tmp("e1.toml", "base = \"missing.toml\"\n[axes]\n\"a.b\" = [1]\n")),
                    Catch::Contains("base scenario"));
  write_tmp("base.toml", "x = 1\n");
  CHECK_THROWS_WITH(load_sweep(write_tmp("e2.toml", "base = \"dssim_sweep_base.toml\"\n[axes]\n\"batch\" = [1]\n")),
                    Catch::Contains("expected \"section.key\""));
  CHECK_THROWS_WITH(load_sweep(write_tmp("e3.toml", "base = \"dssim_sweep_base.toml\"\n[axes]\n\"a.b\" = []\n")),
                    Catch::Contains("non-empty array"));
  CHECK_THROWS_WITH(load_sweep(write_tmp("e4.toml", "base = \"dssim_sweep_base.toml\"\nbsae = 1\n[axes]\n\"a.b\" = [1]\n")),
                    Catch::Contains("unknown key 'bsae'"));
}
