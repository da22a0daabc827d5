// 2:4 structured sparsity (a what-if): half the multiply-adds at the sparse tensor rate, compressed
// weight bytes, decoder layers only; hand-computed against the toy roofline (timing/toy_cost.hpp).
#include <catch2/catch.hpp>

#include <algorithm>

#include "config/catalog.hpp"
#include "memory/memory_model.hpp"
#include "model/operators.hpp"
#include "model/params.hpp"
#include "run/fixed_batch.hpp"
#include "timing/kernel_cost.hpp"
#include "timing/toy_cost.hpp"

using namespace dssim;

namespace {
GpuCard sparse_gpu() {
  GpuCard g = test::toy_gpu();
  g.structured_sparsity = true;
  return g;
}
const Op& find(const std::vector<Op>& ops, const std::string& name, int layer) {
  auto it = std::find_if(ops.begin(), ops.end(), [&](const Op& o) { return o.name == name && o.layer == layer; });
  REQUIRE(it != ops.end());
  return *it;
}
}  // namespace

TEST_CASE("2:4 storage: 2 of 4 values and a 2-bit index each", "[sparsity]") {
  CHECK(sparse_weight_fraction(Precision::bf16) == Approx(0.5625));  // 0.5 x (1 + 2/16)
  CHECK(sparse_weight_fraction(Precision::fp8) == Approx(0.625));    // 0.5 x (1 + 2/8)
  CHECK(sparse_weight_fraction(Precision::int4) == Approx(0.75));    // 0.5 x (1 + 2/4)
}

TEST_CASE("a sparse GEMM: compute-bound at half the time, memory-bound on the compressed weights", "[sparsity]") {
  KernelCostModel c(sparse_gpu(), test::toy_profile(), false);
  // M=10000, N=K=1000: dense 20 GFLOP at 50 TFLOP/s = 400 us; sparse 10 GFLOP-equivalent = 200 us
  // (bytes: 20 MB + 1.125 MB + 20 MB at 0.5 TB/s = 82.25 us, below it)
  CHECK(c.gemm_time(10000, 1000, 1000, 1, Precision::bf16, Precision::bf16, false, true) == Approx(2e-6 + 200e-6).epsilon(1e-6));
  // M=1: memory-bound: (1000 x 2 + 1e6 x 2 x 0.5625 + 1000 x 2) B at 0.5 TB/s
  CHECK(c.gemm_time(1, 1000, 1000, 1, Precision::bf16, Precision::bf16, false, true) ==
        Approx(2e-6 + (4000 + 1.125e6) / 0.5e12));
}

TEST_CASE("a 2:4-sparse model: decoder GEMMs sparse and smaller, the LM head dense, weights in memory", "[sparsity]") {
  const Catalog cat = Catalog::from_environment();
  ModelCard m = cat.model("deepseek-llm-7b");
  const double dense = weight_bytes(m, Precision::bf16);
  ForwardConfig cfg;
  const auto dense_ops = build_forward(m, cfg, ForwardShape{false, 1, 1, 100});
  m.sparse24 = true;
  const auto ops = build_forward(m, cfg, ForwardShape{false, 1, 1, 100});
  const Op& qkv = find(ops, "qkv", 0);
  CHECK(qkv.sparse24);
  // weights 4096 x 12288 in bf16: 0.5625 of them; the activations unchanged
  CHECK(find(dense_ops, "qkv", 0).bytes - qkv.bytes == Approx(4096.0 * 12288 * 2 * (1 - 0.5625)));
  CHECK_FALSE(find(ops, "lm_head", -1).sparse24);
  CHECK(find(ops, "lm_head", -1).bytes == Approx(find(dense_ops, "lm_head", -1).bytes));
  // the stored weights: every decoder layer's linear weights at 0.5625, the rest dense
  const ParamCounts p = count_params(m);
  CHECK(weight_bytes(m, Precision::bf16) == Approx(dense - (p.attention + p.dense_mlp) * 2 * (1 - 0.5625)));
  ParallelLayout one;
  CHECK(weight_bytes_per_gpu(m, Precision::bf16, one) == Approx(weight_bytes(m, Precision::bf16)).epsilon(1e-3));
}

TEST_CASE("MFU of a 2:4-sparse model counts dense-equivalent FLOPs against the sparse peak", "[sparsity][mfu]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  PredictInput in;
  in.model = cat.model("deepseek-coder-33b");
  in.gpu = cat.gpu("a100-80g-sxm");
  in.weights = Precision::bf16;
  const KernelCostModel cost(in.gpu, test::toy_profile(), false);
  const UtilisationPeaks dense = utilisation_peaks(in, Precision::bf16, cost);
  CHECK_FALSE(dense.sparse24);
  CHECK(dense.flops_per_s == Approx(312e12));
  CHECK(dense.label() == "bf16");
  in.model.sparse24 = true;
  const UtilisationPeaks sparse = utilisation_peaks(in, Precision::bf16, cost);
  CHECK(sparse.sparse24);
  CHECK(sparse.flops_per_s == Approx(624e12));  // the A100 datasheet's 2:4-sparse bf16 rate
  CHECK(sparse.label() == "bf16 2:4-sparse");
  CHECK(sparse.bytes_per_s == dense.bytes_per_s);
}
