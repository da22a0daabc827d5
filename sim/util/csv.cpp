#include "util/csv.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csv_field(fields[i]);
  return out;
}

bool parse_csv_line(const std::string& line, std::vector<std::string>& fields) {
  fields.clear();
  std::string cur;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"' && cur.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.push_back(cur);
      cur.clear();
      was_quoted = false;
    } else {
      cur += c;
    }
  }
  if (quoted) return false;
  fields.push_back(cur);
  return true;
}

CsvTable CsvTable::read(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw Error(fmt("%s: %s", path.c_str(), std::filesystem::exists(path) ? "not a regular file" : "no such file"));
  std::ifstream in(path);
  if (!in) throw Error(fmt("%s: cannot open", path.c_str()));
  CsvTable t;
  t.path_ = path;
  std::string line;
  int lineno = 0;
  bool header = true;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    auto fields = split(line, ',');
    for (auto& f : fields) f = trim(f);
    if (header) {
      // A name twice would leave a field no name reaches and rows checked against too few fields.
      for (std::size_t i = 0; i < fields.size(); ++i)
        if (!t.cols_.emplace(fields[i], i).second)
          throw Error(fmt("%s:%d: column '%s' appears twice (fields %zu and %zu)", path.c_str(), lineno,
                          fields[i].c_str(), t.cols_.at(fields[i]) + 1, i + 1));
      header = false;
      continue;
    }
    if (fields.size() != t.cols_.size())
      throw Error(fmt("%s:%d: expected %zu fields, got %zu", path.c_str(), lineno, t.cols_.size(), fields.size()));
    t.rows_.push_back(std::move(fields));
    t.lines_.push_back(lineno);
  }
  if (header) throw Error(fmt("%s: empty file", path.c_str()));
  return t;
}

std::string CsvTable::where(std::size_t row) const { return fmt("%s:%d", path_.c_str(), lines_.at(row)); }

const std::string& CsvTable::get(std::size_t row, const std::string& col) const {
  auto it = cols_.find(col);
  if (it == cols_.end()) throw Error(fmt("%s: missing column '%s'", path_.c_str(), col.c_str()));
  return rows_.at(row)[it->second];
}

double CsvTable::number_or_nan(std::size_t row, const std::string& col) const {
  const std::string& s = get(row, col);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return (end && *end == '\0' && !s.empty()) ? v : std::nan("");
}

double CsvTable::number(std::size_t row, const std::string& col) const {
  const std::string& s = get(row, col);
  if (s.empty() || s == "nan" || s == "NaN") return std::nan("");
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    throw Error(fmt("%s:%d: column '%s': expected a number, got '%s'", path_.c_str(), lines_.at(row), col.c_str(), s.c_str()));
  }
}

}  // namespace dssim
