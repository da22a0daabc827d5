#include "validation/e2e_rows.hpp"

#include "run/resolve.hpp"
#include "run/run.hpp"
#include "util/child.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::vector<E2eRow> predict_e2e_rows(const std::string& csv, const std::string& gpu, const Catalog& cat) {
  const CsvTable t = CsvTable::read(csv);
  std::vector<E2eRow> rows;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    E2eRow r;
    r.model = t.get(i, "model");
    r.phase = t.get(i, "phase");
    r.mode = t.get(i, "mode");
    r.batch = static_cast<int>(t.number(i, "batch"));
    r.context = static_cast<long long>(t.number(i, "context"));
    r.measured_s = t.number(i, "seconds");
    if (r.phase != "prefill" && r.phase != "decode")
      throw Error(fmt("%s: row %zu: phase '%s': expected prefill or decode", csv.c_str(), i + 1, r.phase.c_str()));
    if (!(r.measured_s > 0) || r.batch < 1 || r.context < 2)
      throw Error(fmt("%s: row %zu: expected seconds > 0, batch >= 1 and context >= 2", csv.c_str(), i + 1));
    PredictFlags f;
    f.model = r.model;
    f.gpu = gpu;
    f.batch = r.batch;
    if (r.phase == "prefill") {
      f.prompt = r.context;
      f.output = 1;
    } else {  // the new token attends to `context` positions: context - 1 are already cached
      f.prompt = r.context - 1;
      f.output = 2;
      f.context = r.context - 1;
      f.cuda_graphs = r.mode == "cudagraph";
    }
    const bool prefill = r.phase == "prefill";
    // One SimGrid simulation per process: each row in its own child.
    const ChildAnswer a = run_in_child([&] {
      const RunInputs in = resolve_predict(f, cat);
      const RunResult res = run(in);
      if (!res.fits) return ChildAnswer{{"error", "does not fit"}};
      return ChildAnswer{{"seconds", answer_number(prefill ? res.fixed->prefill_s : res.fixed->decode_step_s)}};
    });
    if (a.count("error")) r.error = a.at("error");
    else r.predicted_s = std::stod(a.at("seconds"));
    rows.push_back(r);
  }
  return rows;
}

}  // namespace dssim
