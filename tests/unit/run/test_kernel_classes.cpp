// A fixed batch's kernel time by class: what a profiler's kernel table of the same pass sums to.
#include <catch2/catch.hpp>

#include "config/catalog.hpp"
#include "run/fixed_batch.hpp"
#include "run/resolve.hpp"
#include "run/one_gpu_input.hpp"
#include "timing/kernel_cost.hpp"

using namespace dssim;

TEST_CASE("a prefill's GEMM time is the H200 table's measured shapes, by hand", "[fixed_batch][kernel_classes]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  // 30 layers, fused QKV and gate/up as the probe's decoder
  PredictInput in = test::one_gpu_input(cat, "deepseek-llm-7b", "h200-sxm", 2048, 2);
  read_hardware_data(in, cat);
  const Prediction p = predict(in, nullptr);  // no power observer: every kernel at the calibrated clock
  REQUIRE(p.fits);
  // validation/data/h200/gemm.csv, bf16 at M = 2048: qkv 298.589395 us, o 96.2730956 us, gate_up
  // 532.406715 us, down 264.628536 us; each kernel + 0.30 us inside a forward (the runtime's kernel_in_model)
  REQUIRE(in.runtime.kernel_in_model_s == Approx(0.30e-6));
  const double layer = 298.589395e-6 + 96.2730956e-6 + 532.406715e-6 + 264.628536e-6 + 4 * 0.30e-6;
  // the LM head on the last position only: one row
  const Op head = make_gemm_op("lm_head", 1, 102400, 4096, Precision::bf16, Precision::bf16, false);
  const double head_s = model_kernel_costs(in).gpu_time(head);
  CHECK(head_s > 0);
  CHECK(p.prefill_classes.gemm_s == Approx(30 * layer + head_s).epsilon(1e-9));
  CHECK(p.prefill_classes.attention_s > 0);
  CHECK(p.prefill_classes.elementwise_s > 0);
  // one GPU, nothing to communicate: the classes add up to the GPU's busy time
  CHECK(p.prefill_classes.total() == Approx(p.prefill_gpu_busy_s).epsilon(1e-9));
  CHECK(p.decode_classes.total() == Approx(p.decode_gpu_busy_s).epsilon(1e-9));
  CHECK(p.decode_classes.gemm_s < p.prefill_classes.gemm_s);
}
