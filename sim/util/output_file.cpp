#include "util/output_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace fs = std::filesystem;

namespace dssim {

namespace {
bool special_file(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}
std::string reason() { return errno ? std::string(" (") + std::strerror(errno) + ")" : std::string(); }
}  // namespace

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  if (fs::is_directory(path_)) throw Error(fmt("%s: is a folder, expected a file to write", path_.c_str()));
  tmp_ = special_file(path_) ? path_ : path_ + fmt(".tmp.%d", static_cast<int>(getpid()));
  errno = 0;
  out_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!out_) throw Error(fmt("%s: cannot write%s", path_.c_str(), reason().c_str()));
}

OutputFile::~OutputFile() {
  if (committed_ || tmp_ == path_) return;
  out_.close();
  std::remove(tmp_.c_str());
}

void OutputFile::commit() {
  errno = 0;
  out_.flush();
  const bool written = static_cast<bool>(out_);
  out_.close();
  if (!written || out_.fail()) {
    const std::string why = reason();
    if (tmp_ != path_) std::remove(tmp_.c_str());
    throw Error(fmt("%s: write failed%s; nothing was written", path_.c_str(), why.c_str()));
  }
  if (tmp_ != path_ && std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const std::string why = reason();
    std::remove(tmp_.c_str());
    throw Error(fmt("%s: cannot replace%s", path_.c_str(), why.c_str()));
  }
  committed_ = true;
}

void write_file(const std::string& path, const std::string& text) {
  OutputFile f(path);
  f << text;
  f.commit();
}

void check_writable(const std::string& path, const std::string& option) {
  if (path.empty()) throw Error(option + ": empty path");
  if (fs::is_directory(path)) throw Error(fmt("%s %s: is a folder, expected a file to write", option.c_str(), path.c_str()));
  if (special_file(path)) {
    if (access(path.c_str(), W_OK) != 0) throw Error(fmt("%s %s: cannot write", option.c_str(), path.c_str()));
    return;
  }
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir))
    throw Error(fmt("%s %s: the folder %s does not exist", option.c_str(), path.c_str(), dir.string().c_str()));
  if (access(dir.c_str(), W_OK) != 0)
    throw Error(fmt("%s %s: the folder %s is not writable", option.c_str(), path.c_str(), dir.string().c_str()));
}

void prepare_output_folder(const std::string& dir, bool force, const std::string& option) {
  if (dir.empty()) throw Error(option + ": empty path");
  if (fs::exists(dir) && !fs::is_directory(dir))
    throw Error(fmt("%s %s: exists and is not a folder", option.c_str(), dir.c_str()));
  if (fs::is_directory(dir) && !fs::is_empty(dir) && !force)
    throw Error(fmt("%s %s: the folder exists and is not empty; choose another, or pass --force to write over it",
                    option.c_str(), dir.c_str()));
  fs::create_directories(dir);
  if (access(dir.c_str(), W_OK) != 0) throw Error(fmt("%s %s: the folder is not writable", option.c_str(), dir.c_str()));
}

void check_stdout() {
  errno = 0;
  std::cout.flush();
  if (!std::cout || std::ferror(stdout) || std::fflush(stdout) != 0)
    throw Error("standard output: write failed" + reason() + "; the report is incomplete");
}

}  // namespace dssim
