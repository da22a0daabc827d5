#include "model/model_work.hpp"

namespace dssim {

bool is_model_work(const Op& op) {
  return op.kind == OpKind::gemm || op.kind == OpKind::attention || op.kind == OpKind::elementwise;
}

ModelWork model_work(const ModelCard& m, const ForwardConfig& cfg, const ForwardShape& s) {
  ForwardConfig one = cfg;
  one.layout = ParallelLayout{};  // the model's own work: no shards, no collectives, no stage hand-offs
  one.stage = -1;
  ModelWork w;
  for (const Op& op : build_forward(m, one, s)) {
    if (!is_model_work(op)) continue;
    w.flops += op.flops;
    w.bytes += op.bytes;
  }
  return w;
}

AchievedRates achieved_rates(const ModelWork& w, double seconds, int gpus, double peak_flops_per_gpu,
                             double peak_Bps_per_gpu) {
  AchievedRates r;
  if (seconds <= 0 || gpus <= 0) return r;
  r.flops_per_s = w.flops / seconds;
  r.bytes_per_s = w.bytes / seconds;
  if (peak_flops_per_gpu > 0) r.mfu = r.flops_per_s / (gpus * peak_flops_per_gpu);
  if (peak_Bps_per_gpu > 0) r.mbu = r.bytes_per_s / (gpus * peak_Bps_per_gpu);
  return r;
}

}  // namespace dssim
