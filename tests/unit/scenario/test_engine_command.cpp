#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "scenario/engine_command.hpp"
#include "util/error.hpp"

using namespace dssim;

namespace {
using Words = std::vector<std::string>;

std::string value_of(const EngineCommand& e, const std::string& key) {
  for (const EngineSetting& s : e.settings)
    if (s.key == key) return s.value;
  return "<unset>";
}

std::string error_of(const std::string& kind, const std::string& command) {
  try {
    translate_engine_command(kind, split_command(command, "t.toml:3"), "t.toml:3");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("a launch command splits into words as a shell would, expanding nothing", "[scenario][engine]") {
  CHECK(split_command("vllm serve m --a 1", "w") == Words{"vllm", "serve", "m", "--a", "1"});
  CHECK(split_command("a \\\n  --b 'x y' \"z \\\"q\\\"\"", "w") == Words{"a", "--b", "x y", "z \"q\""});
  CHECK(split_command("--c='{\"k\": 1}' $HOME `id` ; rm", "w") == Words{"--c={\"k\": 1}", "$HOME", "`id`", ";", "rm"});
  CHECK_THROWS_WITH(split_command("a 'b", "t.toml:3"), "t.toml:3: the command has an unclosed ' quote");
  CHECK_THROWS_WITH(split_command("   ", "t.toml:3"), "t.toml:3: the command is empty");
}

TEST_CASE("vllm serve: flags become scenario keys, defaults fill the rest", "[scenario][engine]") {
  const EngineCommand e = translate_engine_command(
      "vllm",
      split_command("CUDA_VISIBLE_DEVICES=0,1 vllm serve deepseek-ai/DeepSeek-V3 -tp 8 --max_num_seqs 128 "
                    "--max-num-batched-tokens=4096 --gpu-memory-utilization 0.85 --kv-cache-dtype fp8 --port 8000 "
                    "--trust-remote-code --enforce-eager",
                    "w"),
      "w");
  CHECK(e.model == "deepseek-ai/DeepSeek-V3");
  CHECK(value_of(e, "serving.tensor_parallel") == "8");
  CHECK(value_of(e, "serving.max_batch") == "128");
  CHECK(value_of(e, "serving.policy") == "\"chunked\"");
  CHECK(value_of(e, "serving.token_budget") == "4096");
  CHECK(value_of(e, "memory.gpu_memory_utilization") == "0.85");
  CHECK(value_of(e, "model.kv_cache") == "\"fp8\"");
  CHECK(value_of(e, "serving.cuda_graphs") == "false");
  CHECK(value_of(e, "serving.block_size") == "16");
  CHECK(!e.gpu_dependent_batch_defaults);
  CHECK(e.prefix_cache_by_default);
  CHECK(e.ignored == Words{"CUDA_VISIBLE_DEVICES=0,1", "--port 8000", "--trust-remote-code"});
}

TEST_CASE("vllm: expert parallelism spans TP x DP ranks, without it DP is whole copies", "[scenario][engine]") {
  const EngineCommand ep = translate_engine_command(
      "vllm", split_command("vllm serve m --tensor-parallel-size 1 --data-parallel-size 8 --enable-expert-parallel", "w"), "w");
  CHECK(value_of(ep, "serving.tensor_parallel") == "1");
  CHECK(value_of(ep, "serving.expert_parallel") == "8");
  CHECK(value_of(ep, "serving.replicas") == "<unset>");
  const EngineCommand dp = translate_engine_command("vllm", split_command("vllm serve m -tp 2 -dp 4", "w"), "w");
  CHECK(value_of(dp, "serving.replicas") == "4");
  CHECK(value_of(dp, "serving.expert_parallel") == "<unset>");
  CHECK(dp.gpu_dependent_batch_defaults);
  const EngineCommand nc = translate_engine_command(
      "vllm", split_command("vllm serve m --no-enable-chunked-prefill --no-enable-prefix-caching", "w"), "w");
  CHECK(value_of(nc, "serving.policy") == "\"continuous\"");
  CHECK(!nc.prefix_cache_by_default);
  const EngineCommand mtp = translate_engine_command(
      "vllm", split_command(R"(vllm serve m --speculative-config '{"method": "deepseek_mtp", "num_speculative_tokens": 2}')", "w"), "w");
  CHECK(value_of(mtp, "serving.speculative") == "\"mtp\"");
  CHECK(value_of(mtp, "serving.speculative_tokens") == "2");
  const EngineCommand draft = translate_engine_command(
      "vllm", split_command(R"(vllm serve m --speculative-config='{"model": "org/small", "num_speculative_tokens": 4}')", "w"), "w");
  CHECK(value_of(draft, "serving.speculative") == "\"draft\"");
  CHECK(value_of(draft, "serving.draft_model") == "\"org/small\"");
}

TEST_CASE("sglang: DP attention inside one engine, page size 1, MTP's 48 running requests", "[scenario][engine]") {
  const EngineCommand e = translate_engine_command(
      "sglang",
      split_command("python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp 8 --dp 8 "
                    "--enable-dp-attention --chunked-prefill-size 4096 --mem-fraction-static 0.8 "
                    "--speculative-algorithm NEXTN --speculative-num-steps 2 --speculative-eagle-topk 1 "
                    "--enable-eplb --ep-num-redundant-experts 32",
                    "w"),
      "w");
  CHECK(e.model == "deepseek-ai/DeepSeek-V3");
  CHECK(value_of(e, "serving.tensor_parallel") == "1");
  CHECK(value_of(e, "serving.expert_parallel") == "8");
  CHECK(value_of(e, "serving.token_budget") == "4096");
  CHECK(value_of(e, "serving.block_size") == "1");
  CHECK(value_of(e, "memory.gpu_memory_utilization") == "0.8");
  CHECK(value_of(e, "serving.speculative") == "\"mtp\"");
  CHECK(value_of(e, "serving.speculative_tokens") == "2");
  CHECK(value_of(e, "serving.max_batch") == "48");
  CHECK(value_of(e, "serving.redundant_experts") == "32");
  CHECK(value_of(e, "serving.expert_placement") == "\"balanced\"");
  const EngineCommand off = translate_engine_command(
      "sglang", split_command("python -m sglang.launch_server --model m --chunked-prefill-size -1 --disable-radix-cache", "w"), "w");
  CHECK(value_of(off, "serving.policy") == "\"continuous\"");
  CHECK(!off.prefix_cache_by_default);
}

TEST_CASE("engine commands: every bad flag is an error naming the key and the flag", "[scenario][engine]") {
  CHECK(error_of("vllm", "vllm serve m --max-num-seq 8") ==
        "t.toml:3: --max-num-seq: not a vllm flag dssim knows; did you mean '--max-num-seqs'? (dssim help engines lists them)");
  CHECK(error_of("vllm", "vllm serve m --tensor-parallel-size") == "t.toml:3: --tensor-parallel-size: expects a value");
  CHECK(error_of("vllm", "vllm serve m -tp eight") == "t.toml:3: -tp eight: expected an integer in 1 .. 4096, got 'eight'");
  CHECK(error_of("vllm", "vllm serve m --enforce-eager=yes") == "t.toml:3: --enforce-eager: is a switch; it takes no value");
  CHECK(error_of("vllm", "vllm serve m --gpu-memory-utilization 1.5") ==
        "t.toml:3: --gpu-memory-utilization 1.5: expected a number in 0.01 .. 1, got '1.5'");
  CHECK(error_of("vllm", "vllm serve m stray") == "t.toml:3: stray: expected a flag (--name), got a stray word");
  CHECK(error_of("vllm", "vllm serve m --speculative-config '{oops'").find("expected a JSON object") != std::string::npos);
  // found by fuzz_engine_command: a number where a string belongs threw a JSON library exception
  CHECK(error_of("vllm", R"(vllm serve m --speculative-config '{"method": 1}')").find(
            "method: expected a string such as \"deepseek_mtp\", got 1") != std::string::npos);
  CHECK(error_of("vllm", R"(vllm serve m --speculative-config '{"model": [], "num_speculative_tokens": 2}')").find(
            "model: expected a model name, got []") != std::string::npos);
  CHECK(error_of("vllm", R"(vllm serve m --speculative-config '{"method": "deepseek_mtp", "num_speculative_tokens": "2"}')").find(
            "num_speculative_tokens: expected an integer") != std::string::npos);
  CHECK(error_of("vllm", "vllm serve m --kv-transfer-config '{}'") ==
        "t.toml:3: --kv-transfer-config {}: one launch command describes one pool; describe a prefill/decode split "
        "with [serving] prefill_replicas and decode_replicas (docs/disaggregation.md)");
  CHECK(error_of("sglang", "python3 -m sglang.launch_server --model-path m --disaggregation-mode prefill").find(
            "--disaggregation-mode prefill: one launch command describes one pool") != std::string::npos);
  CHECK(error_of("sglang", "python3 -m sglang.launch_server --model-path m --speculative-eagle-topk 4") ==
        "t.toml:3: --speculative-eagle-topk 4: token trees (topk > 1) are not modelled, only a chain of drafts (topk 1)");
  CHECK(error_of("sglang", "python3 -m sglang.launch_server --tp 8 --dp 3 --enable-dp-attention").find(
            "the tensor-parallel size must be a multiple of the data-parallel size") != std::string::npos);
  CHECK(error_of("vllm", "vllm serve m --quantization awq").find("set [model] weights") != std::string::npos);
  CHECK(error_of("tgi", "x").find("unknown engine 'tgi'; expected vllm or sglang") != std::string::npos);
}
