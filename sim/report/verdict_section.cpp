#include "report/verdict_section.hpp"

#include "util/strings.hpp"

namespace dssim {

std::string verdict_text(const RunResult& r) {
  if (!r.verdict) return "";
  const Verdict& v = *r.verdict;
  if (v.slo.empty() && !v.load.judged) return "";  // a fixed batch without targets: nothing to judge
  std::string o = fmt("Verdict   %s\n", v.headline().c_str());
  for (const SloCheck& c : v.slo)
    o += c.metric == "goodput_fraction"
             ? fmt("          %-18s %8.1f %%   target >= %.1f %%   %s\n", c.metric.c_str(), c.achieved * 100, c.target * 100,
                   c.met ? "met" : "MISSED")
             : fmt("          %-18s %8.4g s   target <= %.4g s   %s\n", c.metric.c_str(), c.achieved, c.target,
                   c.met ? "met" : "MISSED");
  return o + "\n";
}

void verdict_json(JsonWriter& j, const std::optional<Verdict>& verdict) {
  if (!verdict) return;
  const Verdict& v = *verdict;
  j.begin_object("verdict").value("ok", v.ok()).value("keeps_up", v.load.keeps_up).value("meets_slo", v.meets_slo());
  j.value("headline", v.headline());
  if (v.load.judged) {
    j.begin_object("load").value("offered_rps", v.load.offered_rps).value("completed_rps", v.load.completed_rps);
    j.value("queue_wait_first_quarter_s", v.load.wait_first_s).value("queue_wait_last_quarter_s", v.load.wait_last_s);
    j.value("queue_wait_growth", v.load.wait_growth).end_object();
  }
  j.begin_array("slo");
  for (const SloCheck& c : v.slo)
    j.begin_object().value("metric", c.metric).value("target", c.target).value("achieved", c.achieved).value("met", c.met).end_object();
  j.end_array();
  j.end_object();
}

std::string verdict_csv(const RunResult& r) {
  if (!r.verdict) return "";
  const Verdict& v = *r.verdict;
  return fmt("verdict_ok,%s\nkeeps_up,%s\nmeets_slo,%s\n", v.ok() ? "true" : "false", v.load.keeps_up ? "true" : "false",
             v.meets_slo() ? "true" : "false");
}

std::string verdict_money_note(const RunResult& r) {
  if (!r.verdict || r.verdict->ok()) return "";
  return r.verdict->load.keeps_up ? "NOT MEETING THE SLO: these figures are for a deployment that misses its targets"
                                  : "NOT KEEPING UP: these figures are for a deployment that cannot serve this traffic";
}

}  // namespace dssim
