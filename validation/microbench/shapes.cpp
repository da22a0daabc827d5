// `--model` runs `dssim shapes` rather than linking the simulator's library: the suite stays a CUDA-only
// binary (cudart, cuBLASLt, NVML at run time) that builds and runs on a bare GPU machine.
#include "shapes.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#ifndef DSSIM_BINARY
#define DSSIM_BINARY "dssim"
#endif

namespace mb {

std::vector<Shape> default_gemm_shapes() {
  return {{"7b_qkv", 12288, 4096},     {"7b_o", 4096, 4096},       {"7b_gate_up", 22016, 4096},
          {"7b_down", 4096, 11008},    {"33b_qkv", 9216, 7168},    {"33b_o", 7168, 7168},
          {"33b_gate_up", 38400, 7168}, {"33b_down", 7168, 19200}, {"7b_lm_head", 102400, 4096},
          {"sq8192", 8192, 8192}};
}

bool parse_shapes_csv(std::istream& in, const std::string& source, std::vector<Shape>& out) {
  std::string line;
  bool header = false;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) {
      cell.erase(0, cell.find_first_not_of(" \t"));
      cell.erase(cell.find_last_not_of(" \t") + 1);
      f.push_back(cell);
    }
    if (!header) {
      if (f.size() != 3 || f[0] != "layer" || f[1] != "N" || f[2] != "K") {
        std::fprintf(stderr, "%s:%d: expected the header `layer,N,K`\n", source.c_str(), lineno);
        return false;
      }
      header = true;
      continue;
    }
    char* e1 = nullptr;
    char* e2 = nullptr;
    long long n = f.size() == 3 ? std::strtoll(f[1].c_str(), &e1, 10) : 0;
    long long k = f.size() == 3 ? std::strtoll(f[2].c_str(), &e2, 10) : 0;
    if (f.size() != 3 || f[0].empty() || n <= 0 || k <= 0 || *e1 != '\0' || *e2 != '\0') {
      std::fprintf(stderr, "%s:%d: expected `layer,N,K` with positive integers\n", source.c_str(), lineno);
      return false;
    }
    out.push_back({f[0], n, k});
  }
  if (!header) {
    std::fprintf(stderr, "%s: empty (expected the header `layer,N,K`)\n", source.c_str());
    return false;
  }
  return true;
}

bool read_model_shapes(const std::string& path, std::vector<Shape>& out) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "dssim-microbench: cannot read %s\n", path.c_str());
    return false;
  }
  return parse_shapes_csv(in, path, out);
}

bool model_card_shapes(const std::string& model, int tp, std::vector<Shape>& out) {
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
  if (pclose(p) != 0) {
    // dssim's own message (unknown model, TP that does not divide it), or the shell's "not found"
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.rfind("dssim: ", 0) == 0) text.erase(0, 7);
    std::fprintf(stderr, "dssim-microbench: --model %s: %s (ran %s shapes; set DSSIM_BIN to another dssim, or pass "
                 "--model-shapes FILE)\n", model.c_str(), text.c_str(), dssim.c_str());
    return false;
  }
  std::istringstream in(text);
  return parse_shapes_csv(in, dssim + " shapes --model " + model, out);
}

}  // namespace mb
