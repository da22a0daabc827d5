#include "report/bands_section.hpp"

#include "util/strings.hpp"

namespace dssim {

std::string months_text(const std::optional<double>& m) { return m ? fmt("%.1f", *m) : std::string("never"); }

std::string bands_text(const RunBands& b, bool stream) {
  std::string o = fmt("\nPrediction bands (%.0f %% of real runs: from the residuals of dssim validate, "
                      "docs/validation.md#prediction-bands)\n", b.confidence * 100);
  auto secs = [&](const char* what, const FigureBand& f) {
    o += fmt("  %-38s%s .. %s   (%s)\n", what, human_seconds(f.low).c_str(), human_seconds(f.high).c_str(), f.cls.c_str());
  };
  secs(stream ? "time to first token (p50)" : "time to first token", b.ttft);
  secs(stream ? "time per output token (p50)" : "time per output token", b.tpot);
  secs(stream ? "end-to-end (p50)" : "end-to-end", b.e2e);
  o += fmt("  %-38s%.1f .. %.1f output tokens/s   (%s)\n", "throughput", b.throughput.low, b.throughput.high,
           b.throughput.cls.c_str());
  o += fmt("  %-38s%.0f .. %.0f W   (%s)\n", "power while busy", b.power.low, b.power.high, b.power.cls.c_str());
  if (b.usd_per_m_onprem)
    o += fmt("  %-38s%s .. %s   (%s)\n", "$ per million output tokens on-prem", usd(b.usd_per_m_onprem->low).c_str(),
             usd(b.usd_per_m_onprem->high).c_str(), b.usd_per_m_onprem->cls.c_str());
  if (b.usd_per_m_cloud)
    o += fmt("  %-38s%s .. %s\n", "$ per million output tokens cloud", usd(b.usd_per_m_cloud->low).c_str(),
             usd(b.usd_per_m_cloud->high).c_str());
  if (b.break_even)
    o += fmt("  %-38s%s .. %s months   (the draw's band: the cloud rents the same GPU-hours)\n", "break-even",
             months_text(b.break_even->low).c_str(), months_text(b.break_even->high).c_str());
  if (b.borrowed_widen > 0)
    o += fmt("  %s: each band is %.0f %% wider on each side (%s)\n", b.borrowed.c_str(), b.borrowed_widen * 100,
             b.widen_source.c_str());
  if (b.moe_slow > 0 || b.moe_fast > 0)
    o += fmt("  %s: each time band's slow end x %.2f, its fast end / %.2f%s (%s)\n", b.moe.c_str(), 1 + b.moe_slow,
             1 + b.moe_fast, b.borrowed_widen > 0 ? ", after that widening" : "", b.moe_source.c_str());
  return o;
}

void bands_json(JsonWriter& j, const RunBands& b) {
  auto fig = [&](const char* key, const FigureBand& f) {
    j.begin_object(key).value("value", f.value).value("low", f.low).value("high", f.high).value("class", f.cls).end_object();
  };
  j.begin_object("bands");
  j.value("confidence", b.confidence).value("borrowed_widen", b.borrowed_widen).value("moe_slow", b.moe_slow).value("moe_fast", b.moe_fast);
  fig("ttft_s", b.ttft);
  fig("tpot_s", b.tpot);
  fig("e2e_s", b.e2e);
  fig("throughput_tok_s", b.throughput);
  fig("busy_power_w", b.power);
  if (b.usd_per_m_onprem) fig("usd_per_million_tokens_onprem", *b.usd_per_m_onprem);
  if (b.usd_per_m_cloud) fig("usd_per_million_tokens_cloud", *b.usd_per_m_cloud);
  if (b.break_even) {
    j.begin_object("break_even_months");
    auto opt = [&](const char* k, const std::optional<double>& v) {
      if (v) j.value(k, *v);
      else j.null(k);
    };
    opt("value", b.break_even->value);
    opt("low", b.break_even->low);
    opt("high", b.break_even->high);
    j.end_object();
  }
  j.end_object();
}

}  // namespace dssim
