#pragma once
// [serving] as a scenario writes it, for the serving tests: the policy, a 4-token KV block, 8
// sequences, and `extra` lines; the error text of a bad one ("" when it reads); a sequence to schedule.
#include <cstdint>
#include <string>
#include <vector>

#include "config/toml_table.hpp"
#include "serving/kv_queue.hpp"
#include "serving/serving_config.hpp"
#include "util/error.hpp"

namespace dssim::test {

inline ServingConfig serving_config(const std::string& policy, const std::string& extra = "") {
  toml::table doc = toml::parse("[serving]\npolicy = \"" + policy + "\"\nblock_size = 4\n" + extra);
  TomlTable sv(*doc["serving"].as_table(), "test.toml", "serving");
  ServingConfig c;
  c.max_batch = 8;
  read_serving(sv, c);
  sv.finish();
  return c;
}

inline std::string serving_config_error(const std::string& policy, const std::string& extra) {
  try {
    serving_config(policy, extra);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

inline SeqState seq(long long id, long long prompt, long long output,
                    const std::vector<std::uint64_t>* hashes = nullptr) {
  SeqState s;
  s.id = id;
  s.prompt = s.target = prompt;
  s.output = output;
  s.hashes = hashes;
  return s;
}

}  // namespace dssim::test
