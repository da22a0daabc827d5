#include "util/timestamp.hpp"

namespace dssim {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long long days_from_civil(long long y, long long m, long long d) {
  y -= m <= 2 ? 1 : 0;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool leap(long long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

bool parse_utc_timestamp(std::string_view s, long long& ticks, char date_sep) {
  auto digits = [&](std::size_t pos, std::size_t n, long long& v) {
    if (pos + n > s.size()) return false;
    v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    return true;
  };
  long long y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (s.size() < 19 || !digits(0, 4, y) || s[4] != date_sep || !digits(5, 2, mo) || s[7] != date_sep || !digits(8, 2, d) ||
      (s[10] != ' ' && s[10] != 'T') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' ||
      !digits(17, 2, se))
    return false;
  long long frac = 0;
  if (s.size() > 19) {
    const std::size_t n = s.size() - 20;
    if (s[19] != '.' || n < 1 || n > 7 || !digits(20, n, frac)) return false;
    for (std::size_t i = n; i < 7; ++i) frac *= 10;
  }
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1) return false;
  if (d > mdays[mo - 1] + (mo == 2 && leap(y) ? 1 : 0)) return false;
  if (h > 23 || mi > 59 || se > 59) return false;
  const long long secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  ticks = secs * 10'000'000 + frac;
  return true;
}

}  // namespace dssim
