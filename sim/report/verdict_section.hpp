#pragma once
// The verdict, first in every report: does the run keep up with its traffic and meet its SLOs?
#include <string>

#include "run/run.hpp"
#include "util/json.hpp"

namespace dssim {

// "Verdict   ..." and, with SLOs, one line per target; "" when the run did not fit (no verdict).
std::string verdict_text(const RunResult& r);
// "verdict": {ok, keeps_up, meets_slo, headline, load {...}, slo [...]}.
void verdict_json(JsonWriter& j, const std::optional<Verdict>& v);
// key,value rows: verdict_ok, keeps_up, meets_slo.
std::string verdict_csv(const RunResult& r);
// The warning the money section carries when the verdict is not ok ("" when it is).
std::string verdict_money_note(const RunResult& r);

}  // namespace dssim
