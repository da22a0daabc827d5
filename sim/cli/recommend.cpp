// `dssim recommend RECOMMEND.toml`: the cheapest configurations that serve the base scenario's traffic
// within its SLOs (sweep/recommend.hpp holds the search; this file runs it and prints the answer).
// Candidates that cannot fit are pruned by closed forms; the rest are simulated, each in a forked child
// (one SimGrid engine per process), --jobs at a time.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "config/catalog.hpp"
#include "config/toml_table.hpp"
#include "finance/pricing.hpp"
#include "model/operators.hpp"
#include "run/resolve.hpp"
#include "run/run.hpp"
#include "scenario/scenario.hpp"
#include "sweep/recommend.hpp"
#include "util/child.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/input_file.hpp"
#include "util/output_file.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace dssim {

namespace {

double to_num(const ChildAnswer& a, const char* k) {
  auto it = a.find(k);
  return it == a.end() || it->second.empty() ? NAN : std::strtod(it->second.c_str(), nullptr);
}
std::string get(const ChildAnswer& a, const char* k) {
  auto it = a.find(k);
  return it == a.end() ? "" : it->second;
}

// In the child: the base scenario with the candidate's overrides, through the one run pipeline.
ChildAnswer simulate(const RecommendSpec& spec, const std::vector<std::string>& sets, const Candidate& c) {
  std::vector<std::string> o = sets;
  for (const auto& x : c.overrides()) o.push_back(x);
  for (const auto& x : spec.slo) o.push_back(x);
  const Scenario s = load_scenario(spec.base, o);
  const RunInputs in = resolve_scenario(s, Catalog::from_environment());
  const RunResult r = run(in);
  ChildAnswer a{{"hf_repo", in.base.model.hf_repo}, {"weights", to_string(in.base.weights)},
                {"max_batch", std::to_string(in.serving.max_batch)}};
  // fp16 on either pool's GPU makes the instance's --dtype half (vLLM refuses bf16 below compute
  // capability 8.0 and asks for --dtype=half)
  Precision act = activation_precision(in.base.weights, in.base.gpu);
  if (in.decode_base && in.decode_base->gpu.peak_flops.count(Precision::bf16) == 0 && act == Precision::bf16)
    act = Precision::fp16;
  a["activations"] = to_string(act);
  const Speculation& sp = in.serving.speculation;
  a["speculative"] = sp.method == Speculation::Method::mtp ? "mtp" : sp.method == Speculation::Method::draft ? "draft" : "none";
  a["speculative_tokens"] = std::to_string(sp.tokens);
  if (sp.method == Speculation::Method::draft) a["draft_repo"] = Catalog::from_environment().model(sp.draft_model).hf_repo;
  if (!r.fits) {
    a["status"] = "does_not_fit";
    a["why"] = "does not fit for serving: " + (r.stream->suggestions.empty() ? std::string("no room for the KV cache")
                                                                            : r.stream->suggestions.front());
    return a;
  }
  const ServingSummary& sum = r.stream->summary;
  a["status"] = "ok";
  a["keeps_up"] = r.verdict->load.keeps_up ? "1" : "0";
  a["meets_slo"] = r.verdict->meets_slo() ? "1" : "0";
  a["verdict"] = r.verdict->headline();
  a["ttft_p50_s"] = answer_number(sum.ttft_s.p50);
  a["ttft_p99_s"] = answer_number(sum.ttft_s.p99);
  a["tpot_p50_s"] = answer_number(sum.tpot_s.p50);
  a["tpot_p99_s"] = answer_number(sum.tpot_s.p99);
  a["e2e_p99_s"] = answer_number(sum.e2e_s.p99);
  a["throughput_tok_s"] = answer_number(sum.throughput_tok_s);
  a["power_w"] = answer_number(r.busy_power_w * in.total_gpus());
  a["iteration_tokens"] = std::to_string(r.stream->iteration_tokens);
  if (r.roi) {
    a["usd_per_m_onprem"] = answer_number(r.roi->usd_per_million_tokens_onprem);
    a["usd_per_m_cloud"] = answer_number(r.roi->usd_per_million_tokens_cloud);
    a["hardware_usd"] = answer_number(r.roi->hardware_usd);
    a["server_priced"] = in.cost && in.cost->server_usd_per_gpu > 0 ? "1" : "0";
  }
  return a;
}

Outcome outcome_of(const ChildAnswer& a) {
  Outcome o;
  const std::string st = get(a, "status");
  if (a.count("error")) {
    o.status = Outcome::Status::error;
    o.why = "error: " + get(a, "error");
    return o;
  }
  o.status = st == "ok" ? Outcome::Status::ok : Outcome::Status::does_not_fit;
  o.why = get(a, "why");
  o.keeps_up = get(a, "keeps_up") == "1";
  o.meets_slo = get(a, "meets_slo") == "1";
  o.verdict = get(a, "verdict");
  o.ttft_p50_s = to_num(a, "ttft_p50_s");
  o.ttft_p99_s = to_num(a, "ttft_p99_s");
  o.tpot_p50_s = to_num(a, "tpot_p50_s");
  o.tpot_p99_s = to_num(a, "tpot_p99_s");
  o.e2e_p99_s = to_num(a, "e2e_p99_s");
  o.throughput_tok_s = to_num(a, "throughput_tok_s");
  o.usd_per_m_onprem = to_num(a, "usd_per_m_onprem");
  o.usd_per_m_cloud = to_num(a, "usd_per_m_cloud");
  o.hardware_usd = to_num(a, "hardware_usd");
  o.server_priced = get(a, "server_priced") == "1";
  o.power_w = to_num(a, "power_w");
  o.iteration_tokens = std::atoll(get(a, "iteration_tokens").c_str());
  o.hf_repo = get(a, "hf_repo");
  o.weights = get(a, "weights");
  if (a.count("activations")) o.activations = get(a, "activations");
  o.max_batch = std::atoi(get(a, "max_batch").c_str());
  o.speculative = get(a, "speculative");
  o.speculative_tokens = std::atoi(get(a, "speculative_tokens").c_str());
  o.draft_repo = get(a, "draft_repo");
  return o;
}

// The kind of failure, for the summary: what a reader acts on.
std::string failure_kind(const std::string& why) {
  for (const char* k : {"DOES NOT KEEP UP", "MISSES SLO", "does not fit", "over the budget", "over the power limit", "tensor parallel"})
    if (why.rfind(k, 0) == 0) return k;
  return "error";
}

std::string ms(double s) { return std::isnan(s) ? "n/a" : fmt("%.0f", s * 1e3); }
std::string per_m(double v) { return std::isnan(v) ? "n/a" : fmt("$%.3f", v); }

// The configuration column is as wide as the longest label (at least 44).
std::string table_row(const Candidate& c, const Outcome& o, int width) {
  return fmt("  %-*s %9s %9s %10s %8s %8s %9.0f %7.0f", width, c.label().c_str(), per_m(o.usd_per_m_onprem).c_str(),
             per_m(o.usd_per_m_cloud).c_str(), dollars(o.hardware_usd).c_str(), ms(o.ttft_p99_s).c_str(),
             ms(o.tpot_p99_s).c_str(), o.throughput_tok_s, o.power_w);
}

std::string table_head(int width) {
  return fmt("  %-*s %9s %9s %10s %8s %8s %9s %7s\n", width, "configuration", "$/M prem", "$/M cloud", "hardware", "TTFT p99",
             "TPOT p99", "tokens/s", "power") +
         fmt("  %-*s %9s %9s %10s %8s %8s %9s %7s\n", width, "", "", "", "", "(ms)", "(ms)", "", "(W)");
}

void write_csv(const fs::path& file, const std::vector<Candidate>& cands, const std::vector<Outcome>& outs, const RecommendSpec& s) {
  OutputFile f(file.string());
  f << "index,gpu,gpus,node,nodes,tensor_parallel,expert_parallel,pipeline_parallel,replicas,prefill_replicas,decode_replicas,"
       "decode_node,decode_nodes,decode_gpu,decode_gpus,decode_tensor_parallel,weights,max_batch,qualifies,why_not,keeps_up,meets_slo,ttft_p50_s,ttft_p99_s,"
       "tpot_p50_s,tpot_p99_s,e2e_p99_s,throughput_tok_s,power_w,hardware_usd,usd_per_million_tokens_onprem,"
       "usd_per_million_tokens_cloud\n";
  for (std::size_t i = 0; i < cands.size(); ++i) {
    const Candidate& c = cands[i];
    const Outcome& o = outs[i];
    const bool pd = c.disaggregated(), own = c.own_decode();
    f << csv_line({std::to_string(i), c.gpu, std::to_string(c.gpus), c.node, c.node.empty() ? "" : std::to_string(c.nodes),
                   std::to_string(c.tp), std::to_string(c.expert_degree()), std::to_string(c.pp), std::to_string(c.replicas()),
                   pd ? std::to_string(c.prefill_replicas()) : "", pd ? std::to_string(c.decode_replicas()) : "", c.decode_node,
                   own ? std::to_string(c.decode_nodes) : "", c.decode_gpu, own ? std::to_string(c.decode_gpus) : "",
                   own ? std::to_string(c.decode_tp) : "",
                   o.weights.empty() ? c.weights : o.weights, o.max_batch ? std::to_string(o.max_batch) : "",
                   qualifies(s, o) ? "true" : "false", failure(s, o), o.status == Outcome::Status::ok ? (o.keeps_up ? "true" : "false") : "",
                   o.status == Outcome::Status::ok ? (o.meets_slo ? "true" : "false") : "", csv_number(o.ttft_p50_s),
                   csv_number(o.ttft_p99_s), csv_number(o.tpot_p50_s), csv_number(o.tpot_p99_s), csv_number(o.e2e_p99_s),
                   csv_number(o.throughput_tok_s), csv_number(o.power_w), csv_number(o.hardware_usd),
                   csv_number(o.usd_per_m_onprem), csv_number(o.usd_per_m_cloud)})
      << "\n";
  }
  f.commit();
}

// The chart's data (no quoted fields: gnuplot splits them at commas) and its script: every simulated
// candidate at (TTFT p99, $/M), the qualifying ones coloured, the Pareto front labelled by layout, and a
// title that gives the answer.
void write_chart(const fs::path& dir, const RecommendSpec& s, const std::vector<Candidate>& cands,
                 const std::vector<Outcome>& outs, const std::vector<std::size_t>& best, const std::vector<std::size_t>& front) {
  auto cost = [&](const Outcome& o) { return s.rank_by == "cloud" ? o.usd_per_m_cloud : o.usd_per_m_onprem; };
  auto short_label = [&](const Candidate& c, const Outcome& o) {
    std::string l = fmt("%dx %s TP%d", c.gpus, c.gpu.c_str(), c.tp);
    if (c.expert_degree() > c.tp) l += fmt(" EP%d", c.expert_degree());
    if (c.pp > 1) l += fmt(" PP%d", c.pp);
    if (c.replicas() > 1) l += fmt("x%d", c.replicas());
    if (c.own_decode()) l += fmt(" + %dx %s TP%d", c.decode_gpus, c.decode_gpu.c_str(), c.decode_tp);
    else if (c.disaggregated()) l += fmt(" %dP%dD", c.prefill_replicas(), c.decode_replicas());
    if (!o.weights.empty()) l += " " + o.weights;
    return l;
  };
  OutputFile d((dir / "recommend_chart.csv").string());
  d << "ttft_p99_ms,usd_per_million_tokens,qualifies,on_front,label\n";
  for (std::size_t i = 0; i < cands.size(); ++i) {
    const Outcome& o = outs[i];
    if (o.status != Outcome::Status::ok || std::isnan(o.ttft_p99_s) || std::isnan(cost(o))) continue;
    const bool on_front = std::find(front.begin(), front.end(), i) != front.end();
    d << fmt("%.6g,%.6g,%d,%d,%s\n", o.ttft_p99_s * 1e3, cost(o), qualifies(s, o) ? 1 : 0, on_front ? 1 : 0,
             short_label(cands[i], o).c_str());
  }
  d.commit();
  std::string title = "No configuration meets the SLOs";
  if (!best.empty())
    title = fmt("Cheapest that meets the SLOs: %s at $%.3g per million tokens", short_label(cands[best.front()], outs[best.front()]).c_str(),
                cost(outs[best.front()]));
  OutputFile g((dir / "recommend.gp").string());
  g << "# gnuplot recommend.gp: every simulated candidate (recommend_chart.csv), $/M against TTFT p99\n"
       "set datafile separator ','\nset key top right\nset grid\nset logscale xy\n"
       "set xlabel 'time to first token, p99 (ms)'\nset ylabel 'USD per million output tokens ("
    << (s.rank_by == "cloud" ? "cloud" : "on-prem") << ")'\n"
    << "set title \"" << gnuplot_text(title) << "\"\n"
    << "set terminal svg size 900,560 dynamic noenhanced\nset output 'recommend.svg'\n"
       "plot 'recommend_chart.csv' skip 1 using 1:($3==0?$2:1/0) with points pt 7 ps 0.6 lc rgb '#aaaaaa' title 'does not qualify', "
       "'' skip 1 using 1:($3==1?$2:1/0) with points pt 7 ps 0.9 lc rgb '#1b7837' title 'meets the SLOs', "
       "'' skip 1 using 1:($4==1?$2:1/0):5 with labels left offset 0.8,0.3 font ',9' notitle\n"
       "set terminal pngcairo size 900,560 noenhanced\nset output 'recommend.png'\nreplot\n";
  g.commit();
}

// The candidates a recommend file and its --set give, as one number: a Slurm task and the merge check
// that they work on the list the array was emitted for.
std::string candidates_fingerprint(const std::string& base, const std::vector<std::string>& sets, const std::vector<Candidate>& cands) {
  std::string all = fs::weakly_canonical(fs::absolute(base)).string();
  for (const auto& s : sets) all += "\n--set " + s;
  for (const auto& c : cands) all += "\n" + c.label();
  return fmt("%016zx %zu", std::hash<std::string>{}(all), cands.size());
}

std::string read_text(const fs::path& p) { return read_whole_file(p.string()).value_or(""); }

// A Slurm array job: one task per candidate, each writing DIR/candidates/<i>.json (whole or absent);
// done candidates are skipped, so resubmitting resumes. `dssim recommend --merge` gathers them.
void emit_recommend_slurm(const std::string& path, const std::vector<std::string>& sets, const fs::path& dir,
                          std::size_t n, const std::string& fingerprint) {
  // A line break or a double quote would end a #SBATCH directive or comment early; the shell words
  // themselves are single-quoted (shell_quote), --set values included.
  for (const std::string& p : {fs::absolute(dir).string(), fs::absolute(path).string()})
    for (char c : p)
      if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == 0x7f)
        throw Error(fmt("--emit slurm: the path %s has a control character or a double quote, which a Slurm batch "
                        "file cannot hold; use another folder name", shell_quote(p).c_str()));
  for (const auto& s : sets)
    for (char c : s)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        throw Error(fmt("--emit slurm: --set %s has a control character", shell_quote(s).c_str()));
  fs::create_directories(dir / "candidates");
  fs::create_directories(dir / "logs");
  write_file((dir / "recommend.fingerprint").string(), fingerprint + "\n");
  const fs::path script = dir / "recommend.sbatch";
  OutputFile f(script.string());
  std::string set_words;
  for (const auto& s : sets) set_words += " --set " + shell_quote(s);
  f << "#!/bin/bash\n"
    << "#SBATCH --job-name=dssim-recommend\n"
    << fmt("#SBATCH --array=0-%zu\n", n - 1)
    << "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"
    << "#SBATCH --output=\"" << fs::absolute(dir / "logs").string() << "/%a.out\"\n"
    << "# Written by dssim recommend --emit slurm; one candidate per array task. Submit: sbatch recommend.sbatch\n"
    << "# Gather: dssim recommend " << fs::absolute(path).string() << " --out " << fs::absolute(dir).string()
    << " --merge (with the same --set)\n"
    << "set -eu\n"
    << "export DSSIM_DATA_DIR=" << shell_quote(std::getenv("DSSIM_DATA_DIR") ? std::getenv("DSSIM_DATA_DIR") : DSSIM_DEFAULT_DATA_DIR)
    << "\n"
    << "test -s " << shell_quote(fs::absolute(dir / "candidates").string()) << "/\"$SLURM_ARRAY_TASK_ID\".json && exit 0  # done earlier\n"
    << shell_quote(self_exe()) << " recommend " << shell_quote(fs::absolute(path).string()) << " --out "
    << shell_quote(fs::absolute(dir).string()) << set_words << " --candidate \"$SLURM_ARRAY_TASK_ID\"\n";
  f.commit();
  fs::permissions(script, fs::perms::owner_exec, fs::perm_options::add);
}

void check_fingerprint(const fs::path& dir, const std::string& fingerprint, const char* what) {
  std::string stored = read_text(dir / "recommend.fingerprint");
  while (!stored.empty() && stored.back() == '\n') stored.pop_back();
  if (stored.empty())
    throw Error(fmt("%s: %s/recommend.fingerprint is missing: emit the array first (dssim recommend FILE --out DIR --emit slurm)",
                    what, dir.string().c_str()));
  if (stored != fingerprint)
    throw Error(fmt("%s: the candidates of this recommend file and --set differ from those %s was emitted for; "
                    "emit again into a new folder", what, dir.string().c_str()));
}

}  // namespace

int cmd_recommend(const std::vector<std::string>& args) {
  std::string path, out, format = "text";
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool quiet = false, force = false, merge = false;
  std::string emit;
  long long candidate = -1;
  std::vector<std::string> sets;
  po::options_description desc("recommend options");
  desc.add_options()("recommend", po::value(&path)->required(), "recommend file")(
      "jobs", po::value(&jobs), "candidates simulated at once (default: the CPU count)")(
      "out", po::value(&out), "also write candidates.csv and pareto.csv into this folder")(
      "format", po::value(&format), "text or json")("set", po::value(&sets)->composing(), "section.key=value over the base scenario")(
      "quiet", po::bool_switch(&quiet), "no progress on stderr")("force", po::bool_switch(&force), "write into an --out folder that has files")(
      "emit", po::value(&emit), "slurm: write --out DIR/recommend.sbatch (an array job, one candidate per task) instead of running")(
      "candidate", po::value(&candidate), "simulate one candidate into --out DIR/candidates/I.json (a Slurm task)")(
      "merge", po::bool_switch(&merge), "gather --out DIR/candidates/*.json and answer as a local run would");
  po::positional_options_description pos;
  pos.add("recommend", 1);
  parse_options(args, desc, &pos, "recommend");
  if (format != "text" && format != "json") throw Error(fmt("--format '%s': expected text or json", format.c_str()));
  if (jobs < 1 || jobs > 1024) throw Error(fmt("--jobs must be in [1, 1024], got %d", jobs));
  const int modes = !emit.empty() + (candidate >= 0) + merge;
  if (modes > 1) throw Error("--emit, --candidate and --merge are three steps of one Slurm search: give one at a time");
  if (modes == 1 && out.empty()) throw Error("--emit, --candidate and --merge need --out DIR (the array's folder)");
  if (!emit.empty() && emit != "slurm") throw Error(fmt("--emit '%s': expected slurm", emit.c_str()));
  if (!out.empty() && candidate < 0 && !merge) prepare_output_folder(out, force, "--out");
  const auto t0 = std::chrono::steady_clock::now();

  const RecommendSpec spec = load_recommend(path);
  const std::vector<std::string> command_line_sets = sets;  // a Slurm task reads the file's own again
  sets.insert(sets.begin(), spec.sets.begin(), spec.sets.end());  // the file's, then the command line's (which win)
  const Catalog cat = Catalog::from_environment();
  const Scenario base = load_scenario(spec.base, sets);
  if (!base.serving_run()) throw Error(fmt("%s: dssim recommend needs a request stream (a trace or arrivals), not a fixed batch", spec.base.c_str()));
  if (base.decode_platform)
    throw Error(fmt("%s: dssim recommend chooses the hardware; the base's [decode_platform] would fix the decode pool's: remove it "
                    "and give the decode pool's nodes as [search] decode_node", spec.base.c_str()));
  if (!base.cost) throw Error(fmt("%s: dssim recommend ranks by $ per million tokens and needs a [cost] table in the base", spec.base.c_str()));
  if (!spec.policies.empty()) {
    // A policy's iteration size has its own key (continuous: max_batched_tokens, chunked: token_budget):
    // one the base sets would not apply to the other policies; the search sets it per policy instead.
    auto doc = TomlTable::parse_file(spec.base);
    for (const char* k : {"max_batched_tokens", "token_budget"})
      if (const toml::node* n = doc->at_path(std::string("serving.") + k).node())
        throw Error(fmt("%s:%u: key 'serving.%s': [search] policy varies the batch policy, and this key is for one policy "
                        "only; remove it and give the iteration size as [search] max_batched_tokens",
                        spec.base.c_str(), n->source().begin.line, k));
  }
  const ModelCard model = scenario_model(base, cat);
  if (!spec.expert_parallel.empty() && !model.moe)
    throw Error(fmt("%s: [search] expert_parallel: %s is a dense model, it has no experts to spread (remove the axis)",
                    path.c_str(), model.id.c_str()));
  const NodeLookup node_info = [&cat](const std::string& id) {
    const NodeSpec n = cat.node(id);
    return NodeInfo{n.gpu, n.gpu_count};
  };
  const std::vector<Candidate> cands = candidates(spec, model.moe.has_value(), base.serving.batch_policy().name(), node_info);
  if (cands.empty())
    throw Error(fmt("%s: no candidate: a replica's GPUs (pipeline_parallel x the larger of tensor_parallel and expert_parallel) "
                    "exceed or do not divide every platform's GPU count", path.c_str()));
  std::map<std::string, GpuCard> cards;
  auto card = [&](const std::string& id) -> const GpuCard& {
    if (!cards.count(id)) cards.emplace(id, cat.gpu(id));
    return cards.at(id);
  };
  auto prune_one = [&](const Candidate& c) {
    return prune(c, model, card(c.gpu), to_string(base.weights), c.own_decode() ? &card(c.decode_gpu) : nullptr);
  };

  const std::string fingerprint = candidates_fingerprint(spec.base, sets, cands);
  if (!emit.empty()) {
    emit_recommend_slurm(path, command_line_sets, out, cands.size(), fingerprint);
    std::cout << fmt("dssim recommend | wrote %s/recommend.sbatch: a Slurm array of %zu tasks (one candidate each); "
                     "then: dssim recommend %s --out %s --merge\n",
                     out.c_str(), cands.size(), path.c_str(), out.c_str());
    return 0;
  }
  if (candidate >= 0) {
    check_fingerprint(out, fingerprint, "--candidate");
    if (candidate >= static_cast<long long>(cands.size()))
      throw Error(fmt("--candidate %lld: this search has candidates 0 to %zu", candidate, cands.size() - 1));
    const Candidate& c = cands[static_cast<std::size_t>(candidate)];
    const std::string why = prune_one(c);
    ChildAnswer a = why.empty() ? simulate(spec, sets, c) : ChildAnswer{{"status", "pruned"}, {"why", why}};
    write_file((fs::path(out) / "candidates" / fmt("%lld.json", candidate)).string(), nlohmann::json(a).dump() + "\n");
    return 0;
  }
  if (merge) check_fingerprint(out, fingerprint, "--merge");

  std::vector<Outcome> outs(cands.size());
  std::vector<std::size_t> to_run;
  for (std::size_t i = 0; i < cands.size(); ++i) {
    const std::string why = prune_one(cands[i]);
    if (why.empty()) {
      to_run.push_back(i);
    } else {
      outs[i].status = Outcome::Status::pruned;
      outs[i].why = why;
    }
  }
  // Fewer replicas of a layout carry more load each: when R replicas do not keep up, fewer do not either.
  // Waves of equal replica counts, most first; a wave skips what the waves before it settled. Waves (not
  // completion order) decide, so the answer is the same on every run and any --jobs.
  auto group = [](const Candidate& c) { return c.layout_key(); };
  std::map<int, std::vector<std::size_t>, std::greater<int>> waves;
  if (merge) {
    // Every task simulated its candidate (no layout settled another): read the answers back.
    std::vector<std::size_t> missing;
    for (std::size_t i : to_run) {
      const std::string text = read_text(fs::path(out) / "candidates" / fmt("%zu.json", i));
      const auto j = nlohmann::json::parse(text, nullptr, false);
      if (text.empty() || j.is_discarded() || !j.is_object()) {
        missing.push_back(i);
        continue;
      }
      ChildAnswer a;
      for (const auto& [k, v] : j.items())
        if (v.is_string()) a[k] = v.get<std::string>();
      outs[i] = outcome_of(a);
    }
    if (!missing.empty())
      throw Error(fmt("%zu of %zu candidates have no answer yet (first: %zu): resubmit the array job, then merge again",
                      missing.size(), to_run.size(), missing.front()));
  } else {
    for (std::size_t i : to_run) waves[cands[i].replicas()].push_back(i);
  }
  std::map<std::string, int> overloaded_at;  // per layout: the most replicas known not to keep up
  std::size_t inferred = 0, finished = 0, logged_tenths = 0;
  const bool tty = !quiet && ::isatty(STDERR_FILENO);
  for (const auto& [replicas, wave] : waves) {
    std::vector<std::size_t> run_now;
    for (std::size_t i : wave) {
      const auto it = overloaded_at.find(group(cands[i]));
      if (it == overloaded_at.end()) {
        run_now.push_back(i);
        continue;
      }
      outs[i].status = Outcome::Status::ok;
      outs[i].verdict = fmt("DOES NOT KEEP UP (inferred, not simulated: %d replicas of this layout do not)", it->second);
      ++inferred;
      ++finished;
    }
    run_in_children(
        run_now.size(), jobs, [&](std::size_t k) { return simulate(spec, sets, cands[run_now[k]]); },
        [&](std::size_t k, const ChildAnswer& a) {
          outs[run_now[k]] = outcome_of(a);
          ++finished;
          if (quiet) return;
          const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          if (tty) {
            std::fprintf(stderr, "\rdssim: %zu/%zu candidates settled, %.0f s ", finished, to_run.size(), el);
          } else if (10 * finished / to_run.size() > logged_tenths) {
            logged_tenths = 10 * finished / to_run.size();
            std::fprintf(stderr, "dssim: %zu/%zu candidates settled, %.0f s\n", finished, to_run.size(), el);
          }
        });
    for (std::size_t i : run_now)
      if (outs[i].status == Outcome::Status::ok && !outs[i].keeps_up) {
        int& at = overloaded_at[group(cands[i])];
        at = std::max(at, cands[i].replicas());
      }
    (void)replicas;
  }
  if (tty) std::fprintf(stderr, "\n");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const std::vector<std::size_t> best = ranked(spec, outs), front = pareto(spec, outs);
  std::map<std::string, std::vector<std::size_t>> failed;
  for (std::size_t i = 0; i < cands.size(); ++i)
    if (!qualifies(spec, outs[i])) failed[failure_kind(failure(spec, outs[i]))].push_back(i);

  if (!out.empty()) {
    write_csv(fs::path(out) / "candidates.csv", cands, outs, spec);
    OutputFile p((fs::path(out) / "pareto.csv").string());
    p << "index,configuration,usd_per_million_tokens,ttft_p99_s\n";
    for (std::size_t i : front)
      p << csv_line({std::to_string(i), cands[i].label(), csv_number(spec.rank_by == "cloud" ? outs[i].usd_per_m_cloud : outs[i].usd_per_m_onprem),
                     csv_number(outs[i].ttft_p99_s)})
        << "\n";
    p.commit();
    write_chart(fs::path(out), spec, cands, outs, best, front);
    (void)run_program({"gnuplot", "recommend.gp"}, {out, "", ""});  // the picture when gnuplot is installed
  }

  if (format == "json") {
    JsonWriter j;
    j.begin_document("recommend").value("recommend", path).value("base", spec.base).value("runtime", base.runtime)
        .value("rank_by", spec.rank_by);
    j.value("candidates", static_cast<long long>(cands.size())).value("simulated", static_cast<long long>(to_run.size() - inferred));
    j.value("inferred", static_cast<long long>(inferred));
    j.value("qualifying", static_cast<long long>(best.size())).value("wall_s", wall);
    j.begin_array("best");
    for (std::size_t r = 0; r < best.size() && r < static_cast<std::size_t>(spec.top); ++r) {
      const std::size_t i = best[r];
      const Outcome& o = outs[i];
      j.begin_object().value("index", static_cast<long long>(i)).value("configuration", cands[i].label()).value("gpu", cands[i].gpu);
      const Candidate& c = cands[i];
      j.value("gpus", c.gpus).value("tensor_parallel", c.tp).value("pipeline_parallel", c.pp);
      j.value("expert_parallel", c.expert_degree()).value("replicas", c.replicas());
      if (!c.node.empty()) j.value("node", c.node).value("nodes", c.nodes);
      if (c.disaggregated()) {
        j.begin_object("pools").value("prefill_replicas", c.prefill_replicas()).value("decode_replicas", c.decode_replicas());
        if (c.own_decode())
          j.value("decode_node", c.decode_node).value("decode_nodes", c.decode_nodes).value("decode_gpu", c.decode_gpu)
              .value("decode_gpus", c.decode_gpus).value("decode_tensor_parallel", c.decode_tp)
              .value("decode_expert_parallel", c.decode_expert_degree());
        j.end_object();
      }
      j.value("weights", o.weights).value("max_batch", o.max_batch);
      j.value("usd_per_million_tokens_onprem", o.usd_per_m_onprem).value("usd_per_million_tokens_cloud", o.usd_per_m_cloud);
      j.value("hardware_usd", o.hardware_usd).value("ttft_p99_s", o.ttft_p99_s).value("tpot_p99_s", o.tpot_p99_s);
      j.value("throughput_tok_s", o.throughput_tok_s).value("power_w", o.power_w);
      j.value("vllm", vllm_command(cands[i], o)).value("sglang", sglang_command(cands[i], o)).end_object();
    }
    j.end_array();
    j.begin_array("pareto");
    for (std::size_t i : front) j.value("", static_cast<long long>(i));
    j.end_array();
    j.begin_object("failed");
    for (const auto& [kind, v] : failed) j.value(kind, static_cast<long long>(v.size()));
    j.end_object().end_object();
    std::cout << j.str();
    if (best.empty()) std::cerr << "dssim: no configuration meets the SLOs within the constraints\n";
    return best.empty() ? 1 : 0;
  }

  int width = 44;
  for (std::size_t i : best) width = std::max(width, static_cast<int>(cands[i].label().size()));
  for (std::size_t i : front) width = std::max(width, static_cast<int>(cands[i].label().size()));
  std::ostringstream o;
  o << "dssim recommend | " << path << "\n";
  if (!spec.description.empty()) o << "  " << spec.description << "\n";
  const std::string how = merge ? std::string("simulated by a Slurm array and merged")
                                 : fmt("simulated in %.1f s (%d jobs)", wall, jobs);
  o << fmt("  base %s%s; %zu candidates, %zu pruned by closed forms, %zu settled by a larger layout that does not keep up, "
           "%zu %s; ranked by %s $/M output tokens\n\n",
           spec.base.c_str(), sets.empty() ? "" : (" with --set " + join(sets, ", --set ")).c_str(), cands.size(),
           cands.size() - to_run.size(), inferred, to_run.size() - inferred, how.c_str(), spec.rank_by == "cloud" ? "cloud" : "on-prem");
  // The launch lines are vLLM's and SGLang's, which run their own fused kernels: say when an unfused
  // operator list priced the answer.
  if (!cat.runtime(base.runtime).fused_kernels)
    o << fmt("  Priced with the '%s' runtime (platforms/runtimes/%s.toml). The launch lines below run vLLM's and SGLang's "
             "own fused kernels: set serving.runtime = \"fused\" in the base (or --set serving.runtime=fused) to price "
             "those (docs/recommend.md)\n\n",
             base.runtime.c_str(), base.runtime.c_str());
  // Comparing a GPU whose servers are priced with one whose are not flatters the latter: say so.
  std::set<std::string> priced, unpriced;
  for (std::size_t i = 0; i < cands.size(); ++i)
    if (outs[i].status == Outcome::Status::ok && !std::isnan(outs[i].hardware_usd))
      (outs[i].server_priced ? priced : unpriced).insert(cands[i].gpu);
  if (!priced.empty() && !unpriced.empty())
    o << fmt("  Note: servers are priced for %s but not for %s (no catalogue row): those count their GPUs alone, which "
             "flatters them; set cost.server_usd_per_gpu to compare like with like (docs/roi.md#cost-lines)\n\n",
             join(std::vector<std::string>(priced.begin(), priced.end()), ", ").c_str(),
             join(std::vector<std::string>(unpriced.begin(), unpriced.end()), ", ").c_str());
  if (best.empty()) {
    o << "No configuration meets the SLOs within the constraints.\n";
  } else {
    o << fmt("Cheapest that meet the SLOs and keep up (%zu of %zu)\n", best.size(), cands.size()) << table_head(width);
    for (std::size_t r = 0; r < best.size() && r < static_cast<std::size_t>(spec.top); ++r)
      o << table_row(cands[best[r]], outs[best[r]], width) << "\n";
    const Candidate& c = cands[best.front()];
    const Outcome& w = outs[best.front()];
    auto indented = [](std::string cmd) {
      for (std::size_t p = cmd.find('\n'); p != std::string::npos; p = cmd.find('\n', p + 3)) cmd.replace(p, 1, "\n  ");
      return cmd;
    };
    o << "\nTo serve it\n  " << indented(vllm_command(c, w)) << "\n  " << indented(sglang_command(c, w)) << "\n";
  }
  o << "\nPareto front ($/M against TTFT p99, among those that keep up)\n" << table_head(width);
  for (std::size_t i : front)
    o << table_row(cands[i], outs[i], width) << (qualifies(spec, outs[i]) ? "" : "   (" + failure_kind(failure(spec, outs[i])) + ")") << "\n";
  o << "\nWhy the others do not qualify\n";
  if (failed.empty()) o << "  (every candidate qualifies)\n";
  for (const auto& [kind, v] : failed) {
    o << fmt("  %-22s %zu, e.g. %s: %s\n", kind.c_str(), v.size(), cands[v.front()].label().c_str(), failure(spec, outs[v.front()]).c_str());
  }
  if (!out.empty())
    o << "\nEvery candidate with its figures and reason: " << (fs::path(out) / "candidates.csv").string()
      << "; the chart: recommend.gp (recommend.svg and .png when gnuplot is installed)\n";
  std::cout << o.str();
  if (best.empty()) std::cerr << "dssim: no configuration meets the SLOs within the constraints (the report says why)\n";
  return best.empty() ? 1 : 0;
}

}  // namespace dssim
