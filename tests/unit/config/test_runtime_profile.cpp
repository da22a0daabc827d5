// Runtime profiles: the shipped engines' keys, and a bad value named with its file and key.
#include <catch2/catch.hpp>

#include "config/catalog.hpp"
#include "config/runtime_profile.hpp"
#include "util/error.hpp"
#include "../test_files.hpp"

using namespace dssim;

TEST_CASE("TensorRT-LLM 0.6's profile reads KV once per query head in decode, the others once per KV head") {
  const Catalog cat(DSSIM_TEST_DATA_DIR);
  CHECK(cat.runtime("trtllm-0.6").decode_kv_per_query_head);
  CHECK(cat.runtime("trtllm-0.6").fused_kernels);
  CHECK_FALSE(cat.runtime("compiled").decode_kv_per_query_head);
  CHECK_FALSE(cat.runtime("pytorch").decode_kv_per_query_head);
  CHECK(cat.runtime("compiled").python_op_s == 0);
  CHECK(cat.runtime("compiled").gemm_s == Approx(3e-6));
}

TEST_CASE("a runtime profile with an unknown decode_kv_reads names the file and the key") {
  const std::string text =
      "id = \"x\"\nname = \"x\"\nsource = \"x\"\n[host_us]\nelementwise = 1\ngemm = 1\nattention_mha = 1\n"
      "attention_gqa = 1\nview = 0\ngraph_launch = 1\n[memory]\nreserve_gib = 0\nreserve_fraction = 0\n"
      "[attention]\ndecode_kv_reads = \"per_head\"\n";
  const auto path = write_test_file("bad_runtime.toml", text);
  CHECK_THROWS_WITH(load_runtime_profile(path), Catch::Contains("bad_runtime.toml") && Catch::Contains("decode_kv_reads") &&
                                                    Catch::Contains("per_query_head"));
}
