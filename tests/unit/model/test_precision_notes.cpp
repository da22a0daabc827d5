#include <catch2/catch.hpp>

#include "config/catalog.hpp"
#include "model/precision_notes.hpp"
#include "run/resolve.hpp"

using namespace dssim;

namespace {
// The shipped cards: a Turing T4 (fp16 and int8 tensor cores), an Ampere A100 (bf16, int8; no fp8), an H200
// (bf16, fp8, int8).
GpuCard shipped_card(const std::string& id) { return Catalog(DSSIM_TEST_DATA_DIR).gpu(id); }
bool note_has(const std::vector<std::string>& lines, const std::string& part) {
  for (const auto& l : lines)
    if (l.find(part) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("precisions a GPU runs as named get no note", "[precision]") {
  CHECK(precision_notes(shipped_card("h200-sxm"), Precision::bf16, false).empty());
  CHECK(precision_notes(shipped_card("h200-sxm"), Precision::fp8, false).empty());   // fp8 tensor cores
  CHECK(precision_notes(shipped_card("a100-80g-sxm"), Precision::int8, false).empty());  // W8A8 on int8 tensor cores
  CHECK(precision_notes(shipped_card("t4"), Precision::fp16, false).empty());
  CHECK(precision_notes(shipped_card("t4"), Precision::fp32, false).empty());
}

TEST_CASE("bf16 on a GPU without bf16 tensor cores runs in fp16, and says so", "[precision]") {
  const auto n = precision_notes(shipped_card("t4"), Precision::bf16, false);
  REQUIRE(n.size() == 1);
  CHECK(note_has(n, "bf16 on t4"));
  CHECK(note_has(n, "run in fp16"));
  CHECK(note_has(n, "--dtype half"));
}

TEST_CASE("quantised weights without their tensor cores run weight-only, and say so", "[precision]") {
  // fp8 on an A100: dequantised into bf16 GEMMs
  auto n = precision_notes(shipped_card("a100-80g-sxm"), Precision::fp8, false);
  REQUIRE(n.size() == 1);
  CHECK(note_has(n, "no fp8 tensor cores"));
  CHECK(note_has(n, "into bf16 GEMMs"));
  CHECK(note_has(n, "Marlin"));
  // on a T4 (no bf16 either) the 16-bit GEMMs are fp16
  n = precision_notes(shipped_card("t4"), Precision::fp8, false);
  REQUIRE(n.size() == 1);
  CHECK(note_has(n, "into fp16 GEMMs"));
  // int8 asked weight-only on a GPU that has int8 tensor cores
  n = precision_notes(shipped_card("h200-sxm"), Precision::int8, true);
  REQUIRE(n.size() == 1);
  CHECK(note_has(n, "weight-only (W8A16), as asked"));
  // int4 always: no int4 tensor-core GEMM is modelled
  n = precision_notes(shipped_card("h200-sxm"), Precision::int4, false);
  REQUIRE(n.size() == 1);
  CHECK(note_has(n, "W4A16"));
  CHECK(note_has(n, "into bf16 GEMMs"));
  CHECK(note_has(precision_notes(shipped_card("t4"), Precision::int4, false), "into fp16 GEMMs"));
}

TEST_CASE("the weight-only rule is the GPU card's, for the costs and the notes alike", "[precision]") {
  CHECK(shipped_card("h200-sxm").weight_only_gemm(Precision::int4, false));
  CHECK_FALSE(shipped_card("h200-sxm").weight_only_gemm(Precision::fp8, false));
  CHECK(shipped_card("h200-sxm").weight_only_gemm(Precision::fp8, true));
  CHECK(shipped_card("a100-80g-sxm").weight_only_gemm(Precision::fp8, false));
  CHECK_FALSE(shipped_card("a100-80g-sxm").weight_only_gemm(Precision::int8, false));
  CHECK_FALSE(shipped_card("t4").weight_only_gemm(Precision::bf16, true));  // 16-bit weights are never "weight-only"
}

TEST_CASE("a predict run carries the notes of its GPU", "[precision]") {
  const Catalog cat(DSSIM_TEST_DATA_DIR);
  PredictFlags f;
  f.model = "deepseek-llm-7b";
  f.gpu = "t4";
  f.weights = Precision::bf16;
  const RunInputs in = resolve_predict(f, cat);
  CHECK(note_has(in.base.precision_notes, "bf16 on t4"));
  f.gpu = "h200-sxm";
  CHECK(resolve_predict(f, cat).base.precision_notes.empty());
}

TEST_CASE("the published-accuracy lines follow the scheme the GPU runs", "[precision]") {
  const Catalog cat(DSSIM_TEST_DATA_DIR);
  PredictFlags f;
  f.model = "deepseek-llm-7b";
  f.weights = Precision::int8;
  f.gpu = "h200-sxm";  // int8 tensor cores: W8A8
  for (const auto& l : resolve_predict(f, cat).base.accuracy_notes) CHECK(l.rfind("int8 W8A8: ", 0) == 0);
  f.gpu = "v100-32g-sxm";  // none: the weights are dequantised, W8A16
  const RunInputs v = resolve_predict(f, cat);
  REQUIRE_FALSE(v.base.accuracy_notes.empty());
  for (const auto& l : v.base.accuracy_notes) CHECK(l.rfind("int8 weight-only: ", 0) == 0);
  CHECK(note_has(v.base.precision_notes, "no int8 tensor cores"));
}
