#pragma once
// A serving engine's launch command, as its users write it (`vllm serve ...`,
// `python -m sglang.launch_server ...`), turned into the scenario keys dssim reads. Nothing is run: the
// command is split into words like a shell would without expanding anything, and each flag is looked
// up in the engine's table (its name, what it sets in dssim, or why it has no effect on performance).
#include <string>
#include <utility>
#include <vector>

namespace dssim {

struct EngineSetting {
  std::string flag;   // as written: "--tensor-parallel-size 8"
  std::string key;    // the scenario key it sets: "serving.tensor_parallel" ("" for a note only)
  std::string value;  // as a TOML value: "8", "true", "\"chunked\""
  std::string note;   // why, when it is not one to one
};

struct EngineCommand {
  std::string kind;     // vllm | sglang
  std::string model;    // the model argument (a Hugging Face repo id or a path)
  std::vector<EngineSetting> settings;  // what dssim takes from the command, flag by flag
  std::vector<std::string> ignored;     // flags with no effect on performance, as written
  // vLLM: max_num_seqs / max_num_batched_tokens not given; their defaults depend on the GPU's memory.
  bool gpu_dependent_batch_defaults = false;
  // The engine caches prefixes unless told not to (vLLM V1, SGLang's radix cache): on when the
  // requests carry prefix hashes.
  bool prefix_cache_by_default = false;
};

// Words of a command line: spaces and tabs separate, '...' and "..." group, a backslash escapes the
// next character (a backslash-newline joins lines). `where` names the key for errors.
std::vector<std::string> split_command(const std::string& command, const std::string& where);

// The scenario keys of `words` (the program and its arguments) for engine `kind`: an Error naming
// `where` for an unknown flag (with the closest known one), a missing or bad value, or a feature dssim
// does not model.
EngineCommand translate_engine_command(const std::string& kind, const std::vector<std::string>& words,
                                       const std::string& where);

// The flags dssim knows for `kind` (for `dssim help engines`).
std::vector<std::string> engine_flags(const std::string& kind);

}  // namespace dssim
