#pragma once
// Output that is never lost silently: a file is written beside its destination under a temporary
// name, flushed and checked, then renamed over it, so a reader sees the old file or the whole new one;
// a full disk, a missing folder or a read-only one is an Error naming the file. Special files
// (/dev/stdout, a FIFO, /dev/full) are written in place, and checked the same way.
#include <fstream>
#include <string>

namespace dssim {

class OutputFile {
 public:
  explicit OutputFile(std::string path);
  ~OutputFile();  // removes the temporary file when commit() was not reached
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  template <class T>
  OutputFile& operator<<(const T& x) {
    out_ << x;
    return *this;
  }
  std::ostream& stream() { return out_; }
  // Flushes, checks every write, closes and renames into place; throws on any failure.
  void commit();

 private:
  std::string path_, tmp_;
  std::ofstream out_;
  bool committed_ = false;
};

// The whole of `text` into `path` (OutputFile).
void write_file(const std::string& path, const std::string& text);
// Before a run: can `path` be written? Its folder exists and is writable, and it is not a folder.
// `option` names the option in the message ("--requests-csv").
void check_writable(const std::string& path, const std::string& option);
// An output folder a command fills (roi, study): refused when it exists with files in it unless
// `force`, so that a previous run's files are never mixed with this one's; created otherwise.
void prepare_output_folder(const std::string& dir, bool force, const std::string& option);
// After a command printed its report: a standard output that could not be written (a full disk, a
// closed pipe) is an Error, not a success.
void check_stdout();

}  // namespace dssim
