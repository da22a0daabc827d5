#pragma once
// Runs a piece of dssim in a forked child and brings its answer back: SimGrid allows one simulation per
// process, so a command that runs several (study rows) runs each in its own child, in-process code all
// the same (no exec, no shell).
#include <functional>
#include <map>
#include <string>

namespace dssim {

using ChildAnswer = std::map<std::string, std::string>;

// A number as a child's answer carries it: all 17 significant digits, so the parent reads back (std::stod)
// the very double the child computed.
std::string answer_number(double v);

// `work` runs in the child; what it returns comes back. A dssim::Error thrown there comes back as
// {"error": its message, "exit_code": its code}; a crash as {"error": "...", "exit_code": "3"}.
ChildAnswer run_in_child(const std::function<ChildAnswer()>& work);

// Runs task(i) for i in [0, n) in forked children, at most `jobs` at a time; `done(i, answer)` is called
// in the parent as each finishes (in completion order). Errors and crashes come back as above.
void run_in_children(std::size_t n, int jobs, const std::function<ChildAnswer(std::size_t)>& task,
                     const std::function<void(std::size_t, const ChildAnswer&)>& done);

}  // namespace dssim
