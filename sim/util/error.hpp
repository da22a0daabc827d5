#pragma once
// One exception type for everything a user can get wrong: the CLI prints its message on one line
// and exits with its code; nothing else escapes main().
#include <stdexcept>
#include <string>

namespace dssim {

enum class ExitCode : int { ok = 0, bad_input = 1, does_not_fit = 2, internal = 3 };

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg, ExitCode code = ExitCode::bad_input)
      : std::runtime_error(msg), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

}  // namespace dssim
