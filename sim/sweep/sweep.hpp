#pragma once
// Sweeps: a base scenario and axes of `section.key` values; every point of their Cartesian product is
// the base scenario with those keys overridden, run as its own dssim process (one SimGrid engine per
// process). This module holds what does not spawn anything: the file, the points, the result rows,
// the Pareto front.
#include <map>
#include <string>
#include <vector>

namespace dssim {

struct SweepAxis {
  std::string key;                   // "section.key" of the scenario
  std::vector<std::string> literal;  // TOML literals for --set ("'h100-sxm'", "8", "true")
  std::vector<std::string> plain;    // the same for the results table ("h100-sxm", "8", "true")
};

struct SweepSpec {
  std::string file, base;  // base: the scenario path, resolved against the sweep file's folder
  std::vector<SweepAxis> axes;  // in key order (a TOML table has no other)
  std::size_t points() const;
};

SweepSpec load_sweep(const std::string& path);
class TomlTable;
// The `base` key of a sweep or recommend file: a scenario path resolved against the file's folder, checked to exist.
std::string base_scenario(TomlTable& t, const std::string& file);
// The index-th point: one value index per axis, the last axis varying fastest.
std::vector<std::size_t> sweep_point(const SweepSpec& s, std::size_t index);

// The columns of results.csv after the point index and the axes.
extern const std::vector<std::string> kSweepColumns;
std::string results_header(const SweepSpec& s);
// One row from a point's `dssim --format csv` output (key,value lines) and its exit status.
std::string result_row(const SweepSpec& s, std::size_t index, const std::map<std::string, std::string>& kv,
                       const std::string& status);
std::map<std::string, std::string> parse_key_values(const std::string& csv);
// A digest of the sweep file and its base scenario, stored beside the results: a resume of a changed
// sweep is refused instead of mixing old rows with new ones.
std::string sweep_fingerprint(const SweepSpec& s);

// Rows (header + data) of results.csv that no other row beats on both `latency_col` and `cost_col`
// (lower is better); rows without both values are left out.
std::vector<std::vector<std::string>> pareto_front(const std::vector<std::vector<std::string>>& rows,
                                                   const std::string& latency_col, const std::string& cost_col);

}  // namespace dssim
