#pragma once
// The money part of every run's report, one renderer for fixed batches and request streams: the ROI
// block, the prices it used and where each came from, and what is n/a for want of a price.
#include <string>

#include "run/run.hpp"
#include "util/json.hpp"

namespace dssim {

// "12.3 months", "never (electricity and operations cost more than renting)" or "n/a (no cloud price)".
std::string break_even_text(const RoiResult& x);

// "$12,345 at 8 %/year over 36 months; IRR 45.6 %/year" (or "IRR n/a: ...").
std::string npv_text(const RoiResult& x, const CostInputs& c);

// "GPUs $240,000 + servers $77,000 + fabric $11,000 + storage $20,000" for `gpus` GPUs; "" when the
// hardware is the GPUs alone.
std::string hardware_lines(const CostInputs& c, int gpus);

// Text: the "Prices" block (each price, its value and its origin; then what is missing).
std::string prices_text(const RunInputs& in);

// JSON: "roi" (with break_even_defined) and "prices" (item, value, source) and "prices_missing".
void cost_json(JsonWriter& j, const RunInputs& in, const RunResult& r);
// The "roi" object's figures, the same in every kind of document (docs/json.md), inside an object the
// caller opened: `roi` of a run, or `dssim roi`'s, which adds its own after them.
void roi_fields_json(JsonWriter& j, const RunInputs& in, const RoiResult& x, bool meets_slo_and_keeps_up);
// "prices" (item, value, source) and "prices_missing".
void prices_json(JsonWriter& j, const RunInputs& in);

// CSV key,value rows: break-even (empty when never or undefined), ROI, $/M, and the prices used.
std::string cost_csv(const RunInputs& in, const RunResult& r);

}  // namespace dssim
