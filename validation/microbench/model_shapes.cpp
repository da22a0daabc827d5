// Runs `dssim shapes` rather than linking the simulator's library: the suite stays a CUDA-only binary
// (cudart, cuBLASLt, NVML at run time) that builds and runs on a bare GPU machine.
#include "model_shapes.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#ifndef DSSIM_BINARY
#define DSSIM_BINARY "dssim"
#endif

namespace mb {

bool model_card_shapes(const std::string& model, int tp, std::vector<NamedShape>& out) {
  for (char c : model)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      std::fprintf(stderr, "dssim-microbench: --model %s: a model id has letters, digits, '-', '_' and '.' only\n",
                   model.c_str());
      return false;
    }
  const char* env = std::getenv("DSSIM_BIN");
  const std::string dssim = env && *env ? env : DSSIM_BINARY;
  const std::string cmd = "'" + dssim + "' shapes --model " + model + " --tp " + std::to_string(tp) + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    std::fprintf(stderr, "dssim-microbench: --model: cannot run %s\n", dssim.c_str());
    return false;
  }
  std::string text;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  const int rc = pclose(p);
  if (rc != 0) {
    // dssim's own message (unknown model, TP that does not divide it), or the shell's "not found"
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.rfind("dssim: ", 0) == 0) text.erase(0, 7);
    std::fprintf(stderr, "dssim-microbench: --model %s: %s (ran %s shapes; set DSSIM_BIN to another dssim, or pass "
                 "--model-shapes FILE)\n", model.c_str(), text.c_str(), dssim.c_str());
    return false;
  }
  std::istringstream in(text);
  std::string line;
  bool header = false;
  while (std::getline(in, line)) {
    if (!header) {
      header = line == "layer,N,K";
      if (!header) break;
      continue;
    }
    std::istringstream row(line);
    std::string layer, n, k;
    if (!std::getline(row, layer, ',') || !std::getline(row, n, ',') || !std::getline(row, k)) continue;
    out.push_back({layer, std::atoll(n.c_str()), std::atoll(k.c_str())});
  }
  if (!header || out.empty()) {
    std::fprintf(stderr, "dssim-microbench: --model %s: unexpected output of `%s shapes`:\n%s", model.c_str(),
                 dssim.c_str(), text.c_str());
    return false;
  }
  return true;
}

}  // namespace mb
