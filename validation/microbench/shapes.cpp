// `--model` runs `dssim shapes` rather than linking the simulator's library: the suite stays a CUDA-only
// binary (cudart, cuBLASLt, NVML at run time) that builds and runs on a bare GPU machine.
#include "shapes.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#ifndef DSSIM_BINARY
#define DSSIM_BINARY "dssim"
#endif

extern char** environ;

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
  // Started from an argument list, never through a shell: $DSSIM_BIN and --model stay plain bytes.
  std::string tp_text = std::to_string(tp);
  std::string exe = dssim, sub = "shapes", model_flag = "--model", model_arg = model, tp_flag = "--tp";
  char* argv[] = {exe.data(), sub.data(), model_flag.data(), model_arg.data(), tp_flag.data(), tp_text.data(), nullptr};
  int fds[2];
  if (pipe(fds) != 0) {
    std::fprintf(stderr, "dssim-microbench: --model: pipe() failed\n");
    return false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, exe.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t got;
  while (spawned == 0 && (got = read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(got));
  close(fds[0]);
  int status = 0;
  if (spawned == 0)
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  if (spawned != 0) text = "dssim: not found";
  if (spawned != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // dssim's own message (unknown model, TP that does not divide it), or "not found"
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
