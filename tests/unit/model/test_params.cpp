#include <catch2/catch.hpp>

#include "config/catalog.hpp"
#include "model/params.hpp"

using namespace dssim;

namespace {
Catalog catalog() { return Catalog(DSSIM_TEST_DATA_DIR); }
}  // namespace

TEST_CASE("DeepSeek-LLM-7B parameters by hand", "[model]") {
  ModelCard m = catalog().model("deepseek-llm-7b");
  ParamCounts c = count_params(m);
  // 2 x vocab x hidden (embedding + head) + 30 x (4 h^2 attention + 3 h I MLP) + (2 x 30 + 1) h norms
  const double expected = 2.0 * 102400 * 4096 + 30.0 * (4.0 * 4096 * 4096 + 3.0 * 4096 * 11008) + 61.0 * 4096;
  CHECK(c.total() == Approx(expected).epsilon(1e-12));
  CHECK(c.total() == Approx(6910365696.0).epsilon(1e-12));
  CHECK(c.active(true) == Approx(c.total()));
  CHECK(kv_bytes_per_token(m, Precision::bf16) == Approx(2.0 * 30 * 32 * 128 * 2));
  CHECK(weight_bytes(m, Precision::bf16) == Approx(2.0 * expected));
  CHECK(weight_bytes(m, Precision::fp32) == Approx(4.0 * expected));
}

TEST_CASE("DeepSeek-V3: 671.0B total, 36.6B active, 70,272 B/token latent cache", "[model]") {
  ModelCard m = catalog().model("deepseek-v3");
  ParamCounts c = count_params(m);
  CHECK(c.total() / 1e9 == Approx(671.0).margin(0.1));
  CHECK(c.active(m.active_params_include_embedding) / 1e9 == Approx(36.6).margin(0.1));
  CHECK(kv_bytes_per_token(m, Precision::bf16) == Approx(70272));
  CHECK(kv_bytes_per_token(m, Precision::fp8) == Approx(35136));
  // MLA attention per layer by hand: q_a + q_a norm + q_b + kv_a + kv_a norm + kv_b + o
  const double attn = 7168.0 * 1536 + 1536 + 1536.0 * 128 * 192 + 7168.0 * 576 + 512 + 512.0 * 128 * 256 + 128.0 * 128 * 7168;
  CHECK(attention_params_per_layer(m) == Approx(attn));
}

TEST_CASE("every model card reproduces its reference counts", "[model]") {
  Catalog cat = catalog();
  auto ids = cat.model_ids();
  REQUIRE(ids.size() == 20);  // 16 DeepSeek cards, Llama-2-7B and -70B, Mistral-7B and Mixtral-8x7B
  for (const auto& id : ids) {
    ModelCard m = cat.model(id);
    INFO(id);
    REQUIRE(m.ref_total_params_b > 0);
    ParamCounts c = count_params(m);
    CHECK(c.total() / 1e9 == Approx(m.ref_total_params_b).epsilon(0.002));
    CHECK(c.active(m.active_params_include_embedding) / 1e9 == Approx(m.ref_active_params_b).epsilon(0.005));
    CHECK(kv_bytes_per_token(m, Precision::bf16) == Approx(m.ref_kv_bytes_per_token_bf16));
  }
}

TEST_CASE("int4 weights carry one fp16 scale per 128, and quantised weights keep a 16-bit embedding and LM head", "[model]") {
  ModelCard m = catalog().model("deepseek-coder-1.3b");
  ParamCounts c = count_params(m);
  REQUIRE(c.lm_head > 0);  // not tied: 32,256 x 2,048 of its own
  const double linear = c.total() - c.embedding - c.lm_head - c.norms;
  const double vocab_and_norms = (c.embedding + c.lm_head + c.norms) * 2.0;
  CHECK(weight_bytes(m, Precision::int4) == Approx(linear * (0.5 + 2.0 / 128) + vocab_and_norms));
  CHECK(weight_bytes(m, Precision::fp8) == Approx(linear + vocab_and_norms));
  CHECK(weight_bytes(m, Precision::int8) == Approx(linear + vocab_and_norms));
  CHECK(weight_bytes(m, Precision::bf16) == Approx(2.0 * c.total()));
  CHECK(weight_bytes(m, Precision::fp32) == Approx(4.0 * c.total()));
  CHECK(lm_head_precision(Precision::int4, Precision::fp16) == Precision::fp16);
  CHECK(lm_head_precision(Precision::fp8, Precision::bf16) == Precision::bf16);
  CHECK(lm_head_precision(Precision::bf16, Precision::bf16) == Precision::bf16);
  CHECK(lm_head_precision(Precision::fp32, Precision::fp32) == Precision::fp32);
}
