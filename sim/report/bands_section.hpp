#pragma once
// The report's prediction bands (run/bands.hpp): a text section and a JSON object, for fixed batches
// and request streams alike.
#include <optional>
#include <string>

#include "run/bands.hpp"
#include "util/json.hpp"

namespace dssim {

std::string bands_text(const RunBands& b, bool stream);
void bands_json(JsonWriter& j, const RunBands& b);
// A break-even month as the reports print it: one decimal, or "never" when renting never costs more.
std::string months_text(const std::optional<double>& m);

}  // namespace dssim
