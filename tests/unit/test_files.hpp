#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

// Writes a file a test needs into a folder of this process's own: CTest runs every test case as its
// own process, in parallel, and cases that shared one /tmp path could read each other's half-written files.
inline std::string write_test_file(const std::string& name, const std::string& text) {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("dssim_unit_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  const auto p = dir / name;
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}
