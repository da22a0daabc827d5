#pragma once
// A whole file as text, for the files dssim reads back that it wrote itself (fingerprints, a task's
// JSON, stored bands): absent or unreadable is "nothing there", which each caller reports its own way.
#include <optional>
#include <string>

namespace dssim {

std::optional<std::string> read_whole_file(const std::string& path);

}  // namespace dssim
