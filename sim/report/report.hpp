#pragma once
// Every kind of run's report, in text, JSON or CSV: one entry point for the CLI.
#include <string>

#include "run/run.hpp"
#include "util/json.hpp"

namespace dssim {

enum class Format { text, json, csv };
Format parse_format(const std::string& s);

std::string render(const RunInputs& in, const RunResult& r, Format f);

// The first lines of every text report: version, title, the file's description, and the --set
// overrides that changed the file (so a description written for one GPU is not read as another's).
std::string header_text(const RunInputs& in);
// The same in JSON: "overrides": [...] (empty when the file ran as written).
void overrides_json(JsonWriter& j, const RunInputs& in);

// One renderer per kind of run (report/fixed_report.cpp, serving_report.cpp, burn_report.cpp).
std::string render_fixed(const RunInputs& in, const RunResult& r, Format f);
std::string render_stream(const RunInputs& in, const RunResult& r, Format f);
std::string render_burn(const RunInputs& in, const RunResult& r, Format f);

}  // namespace dssim
