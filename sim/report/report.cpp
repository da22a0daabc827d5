#include "report/report.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

Format parse_format(const std::string& s) {
  if (s == "text") return Format::text;
  if (s == "json") return Format::json;
  if (s == "csv") return Format::csv;
  throw Error(fmt("--format '%s': expected text, json or csv", s.c_str()));
}

std::string render(const RunInputs& in, const RunResult& r, Format f) {
  switch (r.kind) {
    case RunKind::fixed_batch: return render_fixed(in, r, f);
    case RunKind::request_stream: return render_stream(in, r, f);
    case RunKind::burn: return render_burn(in, r, f);
  }
  return "";
}

std::string header_text(const RunInputs& in) {
  std::string o = "dssim " + std::string(DSSIM_VERSION) + " | " + in.title + "\n";
  if (!in.description.empty()) o += "  " + in.description + "\n";
  if (!in.overrides.empty()) o += "  changed by --set " + join(in.overrides, ", --set ") + "\n";
  return o;
}

void overrides_json(JsonWriter& j, const RunInputs& in) {
  j.begin_array("overrides");
  for (const auto& o : in.overrides) j.value("", o);
  j.end_array();
}

}  // namespace dssim
