#pragma once
// Whole-model timings of a real GPU (the probe's e2e CSV: one forward pass per row) beside what
// dssim predicts for the same shape, one prediction per row, each in its own child process.
#include <string>
#include <vector>

#include "config/catalog.hpp"

namespace dssim {

struct E2eRow {
  std::string model, phase, mode;  // phase: prefill | decode; mode: eager | cudagraph
  int batch = 1;
  long long context = 0;           // prefill: the prompt; decode: the positions the new token attends to
  double measured_s = 0, predicted_s = 0;
  std::string error;               // why there is no prediction ("" when there is one)
  // The class a row is judged in: "prefill eager", "decode eager", "decode cudagraph".
  std::string klass() const { return phase + " " + mode; }
  double rel_error() const { return predicted_s / measured_s - 1; }
};

// Reads `csv` (model,phase,batch,new_tokens,context,mode,seconds,...) and predicts every row on `gpu`.
std::vector<E2eRow> predict_e2e_rows(const std::string& csv, const std::string& gpu, const Catalog& cat);

}  // namespace dssim
