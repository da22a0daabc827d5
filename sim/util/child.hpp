#pragma once
// Runs a piece of dssim in a forked child and brings its answer back: SimGrid allows one simulation per
// process, so a command that runs several (study rows) runs each in its own child, in-process code all
// the same (no exec, no shell).
#include <functional>
#include <map>
#include <string>

namespace dssim {

using ChildAnswer = std::map<std::string, std::string>;

// `work` runs in the child; what it returns comes back. A dssim::Error thrown there comes back as
// {"error": its message, "exit_code": its code}; a crash as {"error": "...", "exit_code": "3"}.
ChildAnswer run_in_child(const std::function<ChildAnswer()>& work);

}  // namespace dssim
