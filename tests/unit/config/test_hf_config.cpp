#include <catch2/catch.hpp>

#include "config/catalog.hpp"
#include "config/hf_config.hpp"
#include "model/params.hpp"
#include "util/error.hpp"
#include "../test_files.hpp"

using namespace dssim;

namespace {
const std::string kHf = std::string(DSSIM_DEFAULT_DATA_DIR) + "/tests/integration/cases/hf/";

void same_architecture(const ModelCard& a, const ModelCard& b) {
  CHECK(a.architecture == b.architecture);
  CHECK(a.hidden_size == b.hidden_size);
  CHECK(a.num_hidden_layers == b.num_hidden_layers);
  CHECK(a.num_attention_heads == b.num_attention_heads);
  CHECK(a.num_key_value_heads == b.num_key_value_heads);
  CHECK(a.head_dim == b.head_dim);
  CHECK(a.intermediate_size == b.intermediate_size);
  CHECK(a.vocab_size == b.vocab_size);
  CHECK(a.attention_bias == b.attention_bias);
  CHECK(a.tie_word_embeddings == b.tie_word_embeddings);
  CHECK(a.moe.has_value() == b.moe.has_value());
  CHECK(a.mla.has_value() == b.mla.has_value());
  if (a.moe && b.moe) {  // the router's group limit (where DeepEP sends a token)
    CHECK(a.moe->n_group == b.moe->n_group);
    CHECK(a.moe->topk_group == b.moe->topk_group);
  }
  const ParamCounts pa = count_params(a), pb = count_params(b);
  CHECK(pa.total() == Approx(pb.total()));
  CHECK(pa.active(true) == Approx(pb.active(true)));
}
}  // namespace

TEST_CASE("a Hugging Face config.json reads as the card dssim ships for the same model", "[config][hf]") {
  const Catalog cat = Catalog::from_environment();
  same_architecture(model_from_hf_config(kHf + "deepseek-v3/config.json"), cat.model("deepseek-v3"));
  same_architecture(model_from_hf_config(kHf + "r1-distill-qwen-7b/config.json"), cat.model("deepseek-r1-distill-qwen-7b"));
  same_architecture(model_from_hf_config(kHf + "deepseek-llm-7b/config.json"), cat.model("deepseek-llm-7b"));
}

TEST_CASE("Mixtral: every layer's FFN is 8 experts, 2 per token: 46.7 B parameters, 12.9 B active", "[config][hf]") {
  const ModelCard m = model_from_hf_config(kHf + "mixtral-8x7b/config.json");
  CHECK(m.id == "mixtral-8x7b");
  REQUIRE(m.moe);
  CHECK(m.moe->n_routed_experts == 8);
  CHECK(m.moe->n_shared_experts == 0);
  CHECK(m.moe->first_k_dense_replace == 0);
  const ParamCounts p = count_params(m);
  // Mistral AI's figures: 46.7 B total, 12.9 B active
  CHECK(p.total() / 1e9 == Approx(46.70).margin(0.01));
  CHECK(p.active(true) / 1e9 == Approx(12.88).margin(0.01));
}

TEST_CASE("a written card loads back to the same card", "[config][hf]") {
  for (const char* d : {"deepseek-v3", "mixtral-8x7b", "r1-distill-qwen-7b"}) {
    const ModelCard m = model_from_hf_config(kHf + d + "/config.json", "imported-" + std::string(d));
    const ModelCard back = load_model_card(write_test_file(std::string(d) + ".toml", model_card_toml(m)));
    CHECK(back.id == "imported-" + std::string(d));
    same_architecture(back, m);
  }
}

TEST_CASE("unsupported architectures and bad fields are errors that name the field", "[config][hf]") {
  CHECK_THROWS_WITH(model_from_hf_config(kHf + "gpt2/config.json"), Catch::Contains("field 'architectures' = \"GPT2LMHeadModel\""));
  CHECK_THROWS_WITH(model_from_hf_config(kHf + "broken/config.json"), Catch::Contains("not JSON"));
  CHECK_THROWS_WITH(model_from_hf_config(write_test_file("str.json", R"({"architectures": ["LlamaForCausalLM"], "hidden_size": "4096"})")),
                    Catch::Contains("field 'hidden_size' = \"4096\": expected an integer"));
  CHECK_THROWS_WITH(model_from_hf_config(write_test_file("noarch.json", R"({"hidden_size": 4096})")),
                    Catch::Contains("missing field 'architectures'"));
  CHECK_THROWS_WITH(model_from_hf_config(write_test_file("nolayers.json", R"({"architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "num_attention_heads": 32})")),
                    Catch::Contains("missing field 'num_hidden_layers'"));
}
