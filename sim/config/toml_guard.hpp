#pragma once
// A check of TOML text before toml++ reads it. Debian 12's toml++ 3.3.0 reaches __builtin_unreachable
// (undefined behaviour) when it asks whether certain non-ASCII code points are whitespace
// (marzer/tomlplusplus#190, fixed upstream after 3.3.0 by PR #305): a hostile scenario file could
// trigger it. It asks only where whitespace may stand: outside strings and comments, where any
// non-ASCII character is a syntax error anyway, and after a backslash in a basic string. Both are
// refused here, with the line and column, before the parser sees them.
#include <optional>
#include <string>
#include <string_view>

namespace dssim {

// "line:column: what" for the first hazard in `text`; none when toml++ may read it.
std::optional<std::string> toml_text_hazard(std::string_view text);

}  // namespace dssim
