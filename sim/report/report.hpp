#pragma once
// Every kind of run's report, in text, JSON or CSV: one entry point for the CLI.
#include <string>

#include "run/run.hpp"

namespace dssim {

enum class Format { text, json, csv };
Format parse_format(const std::string& s);

std::string render(const RunInputs& in, const RunResult& r, Format f);

// One renderer per kind of run (report/fixed_report.cpp, serving_report.cpp, burn_report.cpp).
std::string render_fixed(const RunInputs& in, const RunResult& r, Format f);
std::string render_stream(const RunInputs& in, const RunResult& r, Format f);
std::string render_burn(const RunInputs& in, const RunResult& r, Format f);

}  // namespace dssim
