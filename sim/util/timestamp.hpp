#pragma once
#include <string_view>

namespace dssim {

// "YYYY-MM-DD HH:MM:SS[.f...]" (UTC, 0 to 7 fractional digits; `date_sep` may be '/' as nvidia-smi
// writes it; 'T' accepted before the time) -> 100 ns ticks since 1970-01-01. False when malformed.
bool parse_utc_timestamp(std::string_view s, long long& ticks, char date_sep = '-');

}  // namespace dssim
