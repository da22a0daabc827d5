#include "cli/command_table.hpp"

#include <algorithm>

namespace dssim {

const std::vector<CommandInfo>& command_table() {
  static const std::vector<CommandInfo> t = {
      {"", "SCENARIO.toml [--format text|json|csv] [--set section.key=value]... [--quiet] [--requests-csv F] [--timeline F] [--thermal-csv F]"},
      {"predict", "predict --model ID|--hf-config PATH --gpu ID [--count N] [--weights bf16] [--kv-cache bf16] [--batch N]\n"
                  "                [--prompt N] [--output N] [--context N] [--cuda-graphs on|off] [--tp N] [--pp N] [--ep N]\n"
                  "                [--format text|json|csv]"},
      {"list", "list models|gpus|nodes|scenarios"},
      {"roi", "roi SCENARIO.toml --out DIR [--months N] [--format text|json] [--set section.key=value]... [--force]"},
      {"sweep", "sweep SWEEP.toml --out DIR [--jobs N] [--quiet] [--point I | --merge | --emit slurm]"},
      {"recommend", "recommend RECOMMEND.toml [--jobs N] [--out DIR] [--format text|json] [--set section.key=value]...\n"
                    "             (the cheapest configurations that meet the base scenario's SLOs)"},
      {"study", "study STUDY.toml --out DIR   (e.g. scenarios/studies/hardware-matrix.toml)"},
      {"comm", "comm --node ID [--nodes N] [--gpus N] [--op allreduce|allgather|alltoall|p2p] [--algo ring|tree|auto]\n"
               "             [--bytes 8,1K,1M,1G] [--format text|csv]   (one collective's cost on a platform)"},
      {"shapes", "shapes --model ID [--tp N] [--weights P]   (the model's GEMM shapes, CSV layer,N,K, for dssim-microbench)"},
      {"calibrate", "calibrate --gpu ID --data DIR [--out PROFILE.toml] [--format text|json] [--check BOUNDS.toml]"},
      {"validate", "validate [FILE] [--classes-only] [--write-bands]   (predictions beside the real runs in validation/validate.toml; the prediction bands)"},
      {"import-model", "import-model CONFIG.json [--id ID] [--out FILE]   (a Hugging Face config.json as a models/ card)"},
      {"bench", "bench SCENARIO.toml... [--reference] [--tolerance R] [--set section.key=value]...\n"
                "             (replay speed and memory; --reference: equal to the per-iteration engine?)"},
      {"help", "help keys [--markdown] | policies   (every scenario key with its range and default; the batch policies)"},
  };
  return t;
}

const CommandInfo& command_info(const std::string& name) {
  for (const auto& c : command_table())
    if (c.name == name) return c;
  return command_table().front();
}

std::vector<std::string> command_names() {
  std::vector<std::string> v;
  for (const auto& c : command_table())
    if (!c.name.empty()) v.push_back(c.name);
  return v;
}

bool wants_help(const std::vector<std::string>& args) {
  return std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "--help" || a == "-h"; });
}

}  // namespace dssim
