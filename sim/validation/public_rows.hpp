#pragma once
// Published measurements of other GPUs (engine and vendor tables; validation/data/reference/
// public_runs.csv) beside what dssim predicts for the same configuration, one prediction per row.
#include <string>
#include <vector>

#include "config/accuracy_bands.hpp"
#include "config/catalog.hpp"

namespace dssim {

struct PublicRow {
  std::string id, source, gpu, model, metric;  // metric: out_tok_s_per_gpu | ttft_ms | prefill_tok_s | decode_tok_s
  int tp = 1, batch = 1;
  long long prompt = 1, output = 1;
  double measured = 0, predicted = 0;
  // dssim's parts of the prediction, for its band: the prefill, one decode step, the decode steps
  double prefill_s = 0, tpot_s = 0, steps = 0;
  std::string borrowed_from;  // the GPU whose efficiencies price this one ("" when it has its own)
  bool moe = false;           // the model is a mixture of experts
  std::string error;          // why there is no prediction ("" when there is one)
  double rel_error() const { return predicted / measured - 1; }
  // The same error as a time: predicted time / measured time - 1 (a rate's time is its inverse).
  double time_error() const;
  bool is_rate() const { return metric != "ttft_ms"; }
};

// Reads `csv` (id,source,gpu,model,engine,runtime,cuda_graphs,weights,kv_cache,tp,batch,prompt,output,metric,measured,notes)
// and predicts every row; throws Error naming the file, row and column of a bad value.
std::vector<PublicRow> predict_public_rows(const std::string& csv, const Catalog& cat);

// The least widening of the class bands (prefill_eager, decode_cudagraph) under which a row's measured
// figure lies in dssim's band for it: the band of the prefill (ttft_ms, prefill_tok_s), of one decode
// step (decode_tok_s), or of a static batch's run, prefill + (output - 1) steps (out_tok_s_per_gpu).
// Infinite when those classes are missing or no widening up to 1000 would do.
double widen_to_cover(const PublicRow& r, const AccuracyBands& b);
// How far a row's measured time lies beyond dssim's band for it, widened by `widen`, as {slow, fast}:
// the band's time range [lo, hi] stretched to [lo / (1 + fast), hi * (1 + slow)] holds it (0, 0 inside).
std::pair<double, double> factor_to_cover(const PublicRow& r, const AccuracyBands& b, double widen);
// The widening that covers `confidence` of the rows: the ceil(confidence x n)-th smallest they need.
double widen_quantile(std::vector<double> need, double confidence);

}  // namespace dssim
