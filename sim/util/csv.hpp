#pragma once
#include <map>
#include <string>
#include <vector>

namespace dssim {

// A small CSV table: header names → column index; values kept as strings. Enough for the calibration
// files (no quoted commas). Errors name the file and line.
// One CSV field as RFC 4180 writes it: quoted (with doubled quotes) when it holds a comma, a quote or a
// line break; every CSV line dssim writes from free text goes through this one writer.
std::string csv_field(const std::string& s);
std::string csv_line(const std::vector<std::string>& fields);
// The fields of one line written that way; false when the line is malformed (an unclosed quote).
bool parse_csv_line(const std::string& line, std::vector<std::string>& fields);

class CsvTable {
 public:
  static CsvTable read(const std::string& path);
  std::size_t rows() const { return rows_.size(); }
  const std::string& get(std::size_t row, const std::string& col) const;
  double number(std::size_t row, const std::string& col) const;  // NaN for "nan"/empty
  // NaN for anything that is not a number ("N/A", "[Not Supported]"): for tools that write such text
  double number_or_nan(std::size_t row, const std::string& col) const;
  bool has_column(const std::string& col) const { return cols_.count(col) > 0; }
  // "file:line" of a data row, for messages about a value that parsed but makes no sense.
  std::string where(std::size_t row) const;

 private:
  std::string path_;
  std::map<std::string, std::size_t> cols_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<int> lines_;
};

}  // namespace dssim
