#include "report/bands_section.hpp"
#include "report/roi_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "finance/pricing.hpp"
#include "report/cost_section.hpp"
#include "report/verdict_section.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/output_file.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace fs = std::filesystem;

namespace dssim {

namespace {

// Today (UTC), or the day SOURCE_DATE_EPOCH names, for pages that must be reproducible byte for byte.
std::string report_date() {
  std::time_t t = std::time(nullptr);
  if (const char* e = std::getenv("SOURCE_DATE_EPOCH")) t = static_cast<std::time_t>(std::strtoll(e, nullptr, 10));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// The pictures a finance reviewer shows: each title states the decision and the answer; the crossover
// and the horizon are marked; dollars in thousands; the tornado's bars are labelled at both ends around
// the base case.
void write_gnuplot(const fs::path& dir, const RoiStudy& st, double horizon_months) {
  const auto& be = st.cash_break_even;
  const std::string answer = be ? fmt("Buying pays back after %.1f months", *be)
                                : fmt("Renting stays cheaper over %d months", st.months);
  OutputFile b((dir / "break_even.gp").string());
  b << "# gnuplot break_even.gp: writes break_even.svg and break_even.png from break_even.csv\n"
       "set datafile separator ','\nset key below\nset grid\nset xlabel 'month'\n"
       "set ylabel 'cumulative cost'\nset format y '$%.0fk'\n";
  b << "set title \"Buy or rent " << gnuplot_text(st.gpu) << " for " << gnuplot_text(st.model) << "? " << answer << "\"\n";
  if (be)
    b << fmt("set arrow 1 from %.4f, graph 0 to %.4f, graph 1 nohead dashtype 2 linecolor rgb '#444444'\n"
             "set label 1 \"break-even %.1f months\" at %.4f, graph 0.93 offset 0.6,0\n",
             *be, *be, *be, *be);
  if (horizon_months <= st.months)
    b << fmt("set arrow 2 from %.4f, graph 0 to %.4f, graph 1 nohead dashtype 3 linecolor rgb '#888888'\n"
             "set label 2 \"horizon %g months\" at %.4f, graph 0.05 right offset -0.6,0\n",
             horizon_months, horizon_months, horizon_months, horizon_months);
  // The utilization band: renting costs what the busy hours cost, so it fans out with the utilization;
  // owning moves only by its electricity.
  const std::string band = fmt("%.0f .. %.0f %% utilization", st.utilization.low * 100, st.utilization.high * 100);
  // beside the break-even line (its own label above), clear of the line itself
  b << fmt("set label 3 \"at %s: %s .. %s months\" at %.4f, graph 0.86 offset 0.6,0\n", band.c_str(),
           months_text(st.break_even_high_util).c_str(), months_text(st.break_even_low_util).c_str(), be.value_or(0.0));
  b << "set style fill transparent solid 0.18 noborder\n";
  b << "set terminal svg size 800,500 dynamic noenhanced\nset output 'break_even.svg'\n"
       "plot 'break_even.csv' using 1:($5/1000):($7/1000) skip 1 with filledcurves linecolor rgb '#d95f02' title 'rent, "
    << band << "', '' using 1:($4/1000):($6/1000) skip 1 with filledcurves linecolor rgb '#1b9e77' title 'buy, " << band
    << "', '' using 1:($2/1000) skip 1 with lines lw 2 linecolor rgb '#1b9e77' title 'buy (on-prem)', "
       "'' using 1:($3/1000) skip 1 with lines lw 2 linecolor rgb '#d95f02' title 'rent (cloud)'\n"
       "set terminal pngcairo size 800,500 noenhanced\nset output 'break_even.png'\nreplot\n";
  b.commit();
  OutputFile s((dir / "sensitivity.gp").string());
  s << "# gnuplot sensitivity.gp: a tornado of the break-even month (sensitivity.csv), sensitivity.svg/.png\n"
       "set datafile separator ','\nset style fill solid 0.6\nset boxwidth 0.8\nset grid x\n"
       "set xlabel 'break-even (months)'\nset ytics nomirror\nset offsets graph 0.2, graph 0.15, 0.5, 0.5\n";
  s << "set title \"What moves the break-even? (base case "
    << (st.result.break_even_months ? fmt("%.1f months", *st.result.break_even_months) : std::string("never"))
    << ", one input at a time)\"\nset yrange [*:*] reverse\n";
  if (st.result.break_even_months)
    s << fmt("set arrow 1 from %.4f, graph 0 to %.4f, graph 1 nohead linecolor rgb '#000000'\n", *st.result.break_even_months,
             *st.result.break_even_months);
  s << "set terminal svg size 800,500 dynamic noenhanced\nset output 'sensitivity.svg'\n"
       "plot 'sensitivity.csv' skip 1 using (($4+$5)/2):0:4:5:($0-0.4):($0+0.4):yticlabels(1) with boxxyerror notitle, "
       "'' skip 1 using ($4<$5?$4:$5):0:($4<$5?strcol(2):strcol(3)) with labels right offset -0.6,0 notitle, "
       "'' skip 1 using ($4<$5?$5:$4):0:($4<$5?strcol(3):strcol(2)) with labels left offset 0.6,0 notitle\n"
       "set terminal pngcairo size 800,500 noenhanced\nset output 'sensitivity.png'\nreplot\n";
  s.commit();
}

std::string html_escape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += ch;
    }
  }
  return o;
}

// An SVG file's <svg> element (without the XML prolog and doctype), to inline in HTML.
std::string inline_svg(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string s = ss.str();
  const auto start = s.find("<svg");
  return start == std::string::npos ? "" : s.substr(start);
}

// One self-contained page for a finance reviewer: the summary, the two pictures inline, the tables;
// no scripts, no network, printable.
void write_html(const fs::path& dir, const RunInputs& s, const RoiStudy& st, bool pictures) {
  const CostInputs& c = *s.cost;
  const RoiResult& r = st.result;
  const std::optional<double>& cash_be = st.cash_break_even;
  const std::vector<Sensitivity>& tornado = st.tornado;
  OutputFile h((dir / "report.html").string());
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>dssim ROI: " << html_escape(s.title)
    << "</title>\n<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}"
       "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 8px;text-align:right}"
       "th:first-child,td:first-child{text-align:left}.big{font-size:1.4em}svg{max-width:100%;height:auto}"
       "@media print{body{margin:0}}</style></head><body>\n";
  h << "<h1>Buy or rent: " << html_escape(s.title) << "</h1>\n<p>" << html_escape(s.description) << "</p>\n";
  if (!s.overrides.empty())
    h << "<p>Changed by <code>--set " << html_escape(join(s.overrides, ", --set ")) << "</code> (the description is the file's).</p>\n";
  if (!st.verdict_note.empty()) h << "<p class=\"big\" style=\"color:#b00\"><b>" << html_escape(st.verdict_note) << "</b></p>\n";
  h << "<h2>Summary</h2>\n<p class=\"big\">Break-even after <b>"
    << (r.break_even_months ? fmt("%.1f months", *r.break_even_months) : std::string("never")) << "</b>"
    << (st.bands && st.bands->break_even
            ? fmt(" (%.0f %% band: %s to %s months)", st.bands->confidence * 100, months_text(st.bands->break_even->low).c_str(),
                  months_text(st.bands->break_even->high).c_str())
            : std::string())
    << "; ROI <b>" << percent(r.roi_pct) << "</b> at " << fmt("%g", c.horizon_months) << " months.</p>\n";
  const std::string parts = hardware_lines(c, st.inputs.gpus);
  h << "<table><tr><th>item</th><th>value</th></tr>"
    << fmt("<tr><td>model, GPUs</td><td>%s on %s</td></tr>", html_escape(st.model).c_str(), html_escape(st.gpu).c_str())
    << fmt("<tr><td>throughput while busy</td><td>%.1f output tokens/s (%s)</td></tr>", st.inputs.throughput_tok_s,
           html_escape(st.throughput_source).c_str())
    << fmt("<tr><td>hardware</td><td>%s, depreciated over %g months%s</td></tr>", dollars(r.hardware_usd).c_str(), c.depreciation_months,
           parts.empty() ? "" : (" (" + html_escape(parts) + ")").c_str())
    << fmt("<tr><td>operations and staff</td><td>%s and %s per month</td></tr>", dollars(c.ops_usd_per_month).c_str(),
           dollars(c.staff_usd_per_month).c_str())
    << fmt("<tr><td>cloud, same busy hours</td><td>%s per month (%s per GPU-hour, %.0f %% utilization)</td></tr>",
           dollars(r.cloud_monthly_usd).c_str(), dollars(c.cloud_usd_per_gpu_hour).c_str(), c.utilization * 100)
    << fmt("<tr><td>electricity on-prem</td><td>%s per month (PUE %.2f, $%.4g/kWh)</td></tr>", dollars(r.energy_monthly_usd).c_str(), c.pue,
           c.electricity_usd_per_kwh)
    << fmt("<tr><td>$ per million output tokens</td><td>on-prem %s, cloud %s</td></tr>", usd(r.usd_per_million_tokens_onprem).c_str(),
           usd(r.usd_per_million_tokens_cloud).c_str())
    << (st.bands ? fmt("<tr><td>throughput, %.0f %% band</td><td>%.1f .. %.1f output tokens/s</td></tr>", st.bands->confidence * 100,
                       st.bands->throughput.low, st.bands->throughput.high)
                 : std::string())
    << (st.bands && st.bands->usd_per_m_onprem
            ? fmt("<tr><td>$ per million output tokens on-prem, %.0f %% band</td><td>%s .. %s</td></tr>",
                  st.bands->confidence * 100, usd(st.bands->usd_per_m_onprem->low).c_str(),
                  usd(st.bands->usd_per_m_onprem->high).c_str())
            : std::string())
    << "<tr><td>net present value of buying</td><td>" << html_escape(npv_text(r, c)) << "</td></tr>"
    << fmt("<tr><td>cash break-even (curves)</td><td>%s</td></tr>", cash_be ? fmt("%.1f months", *cash_be).c_str() : "never")
    << "</table>\n";
  h << "<h2>Prices used</h2>\n<table><tr><th>item</th><th>value</th><th>source</th></tr>\n";
  for (const PriceSource& p : s.price_sources)
    h << "<tr><td>" << html_escape(p.item) << "</td><td>" << html_escape(p.value) << "</td><td style=\"text-align:left\">"
      << html_escape(p.origin) << "</td></tr>\n";
  h << "</table>\n";
  h << "<h2>Cumulative cost</h2>\n";
  h << (pictures ? "<figure id=\"break-even\">" + inline_svg(dir / "break_even.svg") + "</figure>\n"
                 : std::string("<p>(picture not drawn: gnuplot is not installed; see break_even.csv)</p>\n"));
  h << "<h2>What moves the answer</h2>\n";
  h << (pictures ? "<figure id=\"sensitivity\">" + inline_svg(dir / "sensitivity.svg") + "</figure>\n" : std::string());
  h << "<table><tr><th>input</th><th>low .. high</th><th>break-even (months)</th><th>$/M on-prem</th></tr>\n";
  for (const auto& t : tornado)
    h << fmt("<tr><td>%s</td><td>%s .. %s</td><td>%s .. %s</td><td>%s .. %s</td></tr>\n", t.input.c_str(),
             html_escape(t.low_label).c_str(), html_escape(t.high_label).c_str(), months_text(t.break_even_low).c_str(),
             months_text(t.break_even_high).c_str(), usd(t.usd_per_m_low).c_str(), usd(t.usd_per_m_high).c_str());
  h << "</table>\n<p>Each input moved alone, the others held.</p>\n";
  h << "<h2>What this page rests on</h2>\n<ul>"
    << "<li>Timings: simulated throughput; a real run would measure within " << fmt("%.0f", st.throughput_error * 100)
    << " % of it (the larger side of its prediction band from dssim validate's residuals; the throughput bar of the "
       "tornado)" << (st.bands && st.bands->wider() ? ", widened because " + html_escape(st.bands->why_wider()) : std::string())
    << ".</li>"
    << "<li>Included: the GPUs, "
    << (c.server_usd_per_gpu > 0 ? "their servers, " : "<b>not their servers</b> (no price: see Prices), ")
    << (c.network_usd_per_gpu > 0 ? "the fabric between nodes, " : "")
    << "storage (" << dollars(c.storage_usd) << "), operations (" << dollars(c.ops_usd_per_month) << " a month) and staff ("
    << dollars(c.staff_usd_per_month) << " a month), as above. Not included: taxes; the cloud's egress and storage.</li>"
    << "<li>Made by dssim " << DSSIM_VERSION << " on " << report_date() << " from <code>" << html_escape(s.scenario_file)
    << "</code>" << (s.overrides.empty() ? std::string() : " with <code>--set " + html_escape(join(s.overrides, ", --set ")) + "</code>")
    << "; the numbers are in break_even.csv and sensitivity.csv beside this page.</li></ul>\n</body></html>\n";
  h.commit();
}

}  // namespace

RoiStudy roi_study(const RunInputs& in, const RunResult& r, int months) {
  const PredictInput& b = in.base;
  if (!r.fits) {
    const auto& why = r.stream ? r.stream->suggestions : r.fixed->suggestions;
    throw Error(fmt("%s does not fit%s on %s: %s", b.model.id.c_str(), r.stream ? " for serving" : "", b.gpu.id.c_str(),
                    join(why, "; ").c_str()), ExitCode::does_not_fit);
  }
  if (!in.price_missing.empty())
    throw Error("dssim roi needs every price: " + join(in.price_missing, "; "));
  RoiStudy st;
  st.inputs = *r.roi_inputs;
  st.throughput_source = r.roi_throughput_source;
  st.verdict = r.verdict;
  if (r.verdict && !r.verdict->ok()) st.verdict_note = r.verdict->headline() + " (" + verdict_money_note(r) + ")";
  st.bands = r.bands;
  if (!r.bands)
    throw Error("dssim roi needs the prediction bands (validation/bands.toml in the data directory: dssim validate "
                "--write-bands) for its throughput bar");
  {
    const FigureBand& t = r.bands->throughput;
    st.throughput_error = t.value > 0 ? std::max(t.high / t.value - 1, 1 - t.low / t.value) : 0.0;
  }
  st.model = b.model.id;
  st.gpu = fmt("%d x %s", b.node.total_gpus(), b.gpu.id.c_str());
  if (in.decode_base)
    st.gpu += fmt(" (prefill) + %d x %s (decode)", in.decode_base->node.total_gpus(), in.decode_base->gpu.id.c_str());
  st.ttft_p50_s = r.ttft_s;
  st.tpot_p50_s = r.tpot_s;
  st.months = months > 0 ? months : static_cast<int>(std::ceil(in.cost->horizon_months));
  st.result = *r.roi;
  st.curves = cost_curves(st.inputs, st.months);
  st.cash_break_even = curve_break_even(st.curves);
  st.utilization = utilization_range(st.inputs.cost);
  RoiInputs lo = st.inputs, hi = st.inputs;
  lo.cost.utilization = st.utilization.low;
  hi.cost.utilization = st.utilization.high;
  st.curves_low_util = cost_curves(lo, st.months);
  st.curves_high_util = cost_curves(hi, st.months);
  st.break_even_low_util = curve_break_even(st.curves_low_util);
  st.break_even_high_util = curve_break_even(st.curves_high_util);
  st.tornado = sensitivity(st.inputs, st.throughput_error);
  // Hybrid: N owned GPUs for the base load, the rest rented, from the run's own demand profile.
  if (in.requests && in.requests->stats().count > 0) {
    RoiInputs per_gpu = st.inputs;
    per_gpu.throughput_tok_s /= st.inputs.gpus;
    per_gpu.host_power_w /= st.inputs.gpus;
    st.hybrid = hybrid_options(*in.requests, per_gpu, 4 * st.inputs.gpus + 4);
  }
  return st;
}

bool write_roi_files(const std::string& out, const RunInputs& in, const RoiStudy& st) {
  fs::create_directories(out);
  {
    OutputFile f((fs::path(out) / "break_even.csv").string());
    f << fmt("month,onprem_cumulative_usd,cloud_cumulative_usd,onprem_usd_at_%.0f_pct,cloud_usd_at_%.0f_pct,"
             "onprem_usd_at_%.0f_pct,cloud_usd_at_%.0f_pct\n",
             st.utilization.low * 100, st.utilization.low * 100, st.utilization.high * 100, st.utilization.high * 100);
    for (std::size_t i = 0; i < st.curves.size(); ++i) {
      const CostPoint &p = st.curves[i], &a = st.curves_low_util[i], &b = st.curves_high_util[i];
      f << fmt("%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f\n", p.month, p.onprem_usd, p.cloud_usd, a.onprem_usd, a.cloud_usd, b.onprem_usd,
               b.cloud_usd);
    }
    f.commit();
  }
  {
    OutputFile f((fs::path(out) / "sensitivity.csv").string());
    f << "input,low,high,break_even_months_low,break_even_months_high,usd_per_million_tokens_onprem_low,"
         "usd_per_million_tokens_onprem_high\n";
    const double never = 10.0 * st.months;  // plotted as far beyond the horizon; "never" in the text
    for (const auto& t : st.tornado)
      f << fmt("%s,%s,%s,%.3f,%.3f,%s,%s\n", csv_field(t.input).c_str(), csv_field(t.low_label).c_str(), csv_field(t.high_label).c_str(),
               t.break_even_low.value_or(never), t.break_even_high.value_or(never),
               std::isfinite(t.usd_per_m_low) ? fmt("%.4f", t.usd_per_m_low).c_str() : "",
               std::isfinite(t.usd_per_m_high) ? fmt("%.4f", t.usd_per_m_high).c_str() : "");
    f.commit();
  }
  write_gnuplot(out, st, in.cost->horizon_months);
  const bool pictures = run_program({"gnuplot", "break_even.gp"}, {out, "", ""}) == 0 &&
                        run_program({"gnuplot", "sensitivity.gp"}, {out, "", ""}) == 0;
  write_html(out, in, st, pictures);
  if (!st.hybrid.empty()) {
    OutputFile f((fs::path(out) / "hybrid.csv").string());
    f << "onprem_gpus,onprem_usd_per_month,cloud_usd_per_month,total_usd_per_month,onprem_token_share,usd_per_million_tokens\n";
    for (const auto& o : st.hybrid)
      f << fmt("%d,%.2f,%.2f,%.2f,%.4f,%.4f\n", o.onprem_gpus, o.onprem_usd, o.cloud_usd, o.total_usd, o.onprem_share,
               o.usd_per_million_tokens);
    f.commit();
  }
  return pictures;
}

std::string render_roi(const RunInputs& in, const RoiStudy& st, const std::string& out, bool pictures, Format format) {
  const RoiResult& r = st.result;
  const auto& hybrid = st.hybrid;
  const auto& curve_be = st.cash_break_even;
  const auto best = std::min_element(hybrid.begin(), hybrid.end(), [](const auto& a, const auto& b) { return a.total_usd < b.total_usd; });
  if (format == Format::json) {
    JsonWriter j;
    j.begin_document("roi").value("scenario", in.title);
    overrides_json(j, in);
    verdict_json(j, st.verdict);
    j.value("throughput_tok_s", st.inputs.throughput_tok_s);
    j.value("throughput_source", st.throughput_source).value("model", st.model).value("gpus", st.gpu);
    j.value("ttft_p50_s", st.ttft_p50_s).value("tpot_p50_s", st.tpot_p50_s);
    // The run's "roi" object, then what the study adds: the break-even of the cash curve and its range
    // over the utilization band.
    j.begin_object("roi");
    roi_fields_json(j, in, r, !st.verdict || st.verdict->ok());
    if (curve_be) j.value("cash_break_even_months", *curve_be); else j.null("cash_break_even_months");
    j.begin_object("utilization_band").value("low", st.utilization.low).value("high", st.utilization.high);
    if (st.break_even_low_util) j.value("break_even_months_at_low", *st.break_even_low_util); else j.null("break_even_months_at_low");
    if (st.break_even_high_util) j.value("break_even_months_at_high", *st.break_even_high_util); else j.null("break_even_months_at_high");
    j.end_object();
    j.end_object();
    if (!hybrid.empty()) {
      j.begin_object("hybrid").value("cheapest_onprem_gpus", best->onprem_gpus).value("usd_per_month", best->total_usd);
      j.value("onprem_token_share", best->onprem_share).end_object();
    }
    if (st.bands) bands_json(j, *st.bands);
    prices_json(j, in);
    j.value("pictures", pictures);
    j.end_object();
    return j.str();
  }
  const CostInputs& c = *in.cost;
  std::ostringstream o;
  o << fmt("dssim roi | %s\n", in.title.c_str());
  if (!st.verdict_note.empty()) o << "  " << st.verdict_note << "\n";
  if (!in.overrides.empty()) o << "  changed by --set " << join(in.overrides, ", --set ") << "\n";
  o << "\n";
  o << fmt("Throughput   %.1f output tokens/s while busy (%s)\n", st.inputs.throughput_tok_s, st.throughput_source.c_str());
  if (st.bands)
    o << fmt("             %.0f %% band %.1f .. %.1f (%s)\n", st.bands->confidence * 100, st.bands->throughput.low,
             st.bands->throughput.high, st.bands->wider() ? st.bands->why_wider().c_str() : "this GPU's own efficiencies");
  o << fmt("Hardware     %s (%d GPU%s), depreciated over %g months%s\n", dollars(r.hardware_usd).c_str(), st.inputs.gpus,
                   st.inputs.gpus > 1 ? "s" : "", c.depreciation_months,
                   c.residual_fraction > 0 ? fmt("; %.0f %% resold at month %g", c.residual_fraction * 100, c.refresh_months).c_str() : "");
  if (const std::string parts = hardware_lines(c, st.inputs.gpus); !parts.empty()) o << "             " << parts << "\n";
  o << fmt("Monthly      cloud %s, electricity %s, operations %s, staff %s\n", dollars(r.cloud_monthly_usd).c_str(),
                   dollars(r.energy_monthly_usd).c_str(), dollars(c.ops_usd_per_month).c_str(), dollars(c.staff_usd_per_month).c_str());
  o << fmt("Break-even   %s months (cash curves: %s)%s\n", months_text(r.break_even_months).c_str(), months_text(curve_be).c_str(),
           st.bands && st.bands->break_even
               ? fmt("; %.0f %% band %s .. %s", st.bands->confidence * 100, months_text(st.bands->break_even->low).c_str(),
                     months_text(st.bands->break_even->high).c_str()).c_str()
               : "");
  o << fmt("             %s .. %s months at %.0f .. %.0f %% utilization (the chart's band)\n",
           months_text(st.break_even_high_util).c_str(), months_text(st.break_even_low_util).c_str(),
           st.utilization.high * 100, st.utilization.low * 100);
  o << fmt("ROI          %s at %g months\n", percent(r.roi_pct).c_str(), c.horizon_months);
  o << "NPV          " << npv_text(r, c) << "\n";
  o << fmt("$/M tokens   on-prem %s, cloud %s\n", usd(r.usd_per_million_tokens_onprem).c_str(),
           usd(r.usd_per_million_tokens_cloud).c_str());
  if (st.bands && st.bands->usd_per_m_onprem)
    o << fmt("             %.0f %% band on-prem %s .. %s\n", st.bands->confidence * 100, usd(st.bands->usd_per_m_onprem->low).c_str(),
             usd(st.bands->usd_per_m_onprem->high).c_str());
  o << "\nSensitivity (each input alone)      break-even (months)        $/M on-prem\n";
  for (const auto& t : st.tornado)
    o << fmt("  %-20s %10s .. %-10s %6s .. %-6s   %s .. %s\n", t.input.c_str(), t.low_label.c_str(),
                     t.high_label.c_str(), months_text(t.break_even_low).c_str(), months_text(t.break_even_high).c_str(),
                     usd(t.usd_per_m_low).c_str(), usd(t.usd_per_m_high).c_str());
  if (!hybrid.empty()) {
    o << "\nHybrid (the run's load profile repeated over a month; the excess rented by the GPU-hour)\n";
    for (const auto& h : hybrid)
      o << fmt("  %2d GPU%s owned: $%8.0f on-prem + $%8.0f cloud = $%8.0f per month, %5.1f %% of tokens on-prem, $%.3f/M%s\n",
               h.onprem_gpus, h.onprem_gpus == 1 ? " " : "s", h.onprem_usd, h.cloud_usd, h.total_usd, h.onprem_share * 100,
               h.usd_per_million_tokens, &h == &*best ? "  <- cheapest" : "");
  }
  o << prices_text(in);
  o << fmt("\nWrote %s/report.html, break_even.csv, sensitivity.csv and gnuplot scripts%s\n", out.c_str(),
                   pictures ? " with their SVG and PNG pictures" : " (install gnuplot for the pictures: gnuplot break_even.gp)");
  return o.str();
}

}  // namespace dssim
