// `dssim sweep SWEEP.toml --out DIR [--jobs N]`: every point of the sweep is this binary run on the
// base scenario with the point's --set overrides (its own process: one SimGrid engine per process),
// N at a time. Rows go to DIR/results.csv in point order as soon as every earlier point is done, so an
// interrupted sweep leaves a prefix and a rerun resumes after it.
#include <boost/program_options.hpp>
#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "sweep/sweep.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/output_file.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

extern char** environ;

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace dssim {

namespace {

struct Child {
  std::size_t index;
  pid_t pid;
  int out_fd, err_fd;
  std::string out, err;
};

// Reads what is available without blocking (the pipes are non-blocking).
void drain(int fd, std::string& into) {
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) into.append(buf, static_cast<std::size_t>(n));
}

Child spawn_point(const std::string& exe, const SweepSpec& s, std::size_t index) {
  std::vector<std::string> args{exe, s.base, "--format", "csv", "--quiet"};
  auto p = sweep_point(s, index);
  for (std::size_t i = 0; i < s.axes.size(); ++i) {
    args.push_back("--set");
    args.push_back(s.axes[i].key + "=" + s.axes[i].literal[p[i]]);
  }
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) throw Error("dssim sweep: pipe() failed", ExitCode::internal);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  posix_spawn_file_actions_addclose(&fa, err[0]);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  close(err[1]);
  if (rc != 0) throw Error(fmt("dssim sweep: cannot start %s", exe.c_str()), ExitCode::internal);
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  fcntl(err[0], F_SETFL, O_NONBLOCK);
  return Child{index, pid, out[0], err[0], "", ""};
}

// The row of a finished point from what its process wrote.
std::string finish_point(const SweepSpec& s, Child& c) {
  fcntl(c.out_fd, F_SETFL, 0);
  fcntl(c.err_fd, F_SETFL, 0);
  drain(c.out_fd, c.out);
  drain(c.err_fd, c.err);
  close(c.out_fd);
  close(c.err_fd);
  std::string st = "ok";
  auto kv = parse_key_values(c.out);
  if (kv.empty()) st = "error: " + trim(c.err.empty() ? "no output" : c.err.substr(0, c.err.find('\n')));
  else if (kv["fits"] == "false") st = "does not fit";
  return result_row(s, c.index, kv, st);
}

// A Slurm array job: one task per point, each writing points/<i>.row; done points are skipped, so
// resubmitting the same script resumes. `dssim sweep --merge` gathers the rows.
void emit_slurm(const SweepSpec& s, const std::string& sweep_path, const fs::path& dir, const std::string& exe) {
  // A line break or a double quote would end a #SBATCH directive or comment early; the shell lines
  // themselves are single-quoted.
  for (const std::string& p : {fs::absolute(dir).string(), fs::absolute(sweep_path).string()})
    for (char c : p)
      if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == 0x7f)
        throw Error(fmt("--emit slurm: the path %s has a control character or a double quote, which a Slurm batch "
                        "file cannot hold; use another folder name", shell_quote(p).c_str()));
  fs::create_directories(dir / "points");
  fs::create_directories(dir / "logs");
  const fs::path script = dir / "sweep.sbatch";
  OutputFile f(script.string());
  f << "#!/bin/bash\n"
    << "#SBATCH --job-name=dssim-sweep\n"
    << fmt("#SBATCH --array=0-%zu\n", s.points() - 1)
    << "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"
    << "#SBATCH --output=\"" << fs::absolute(dir / "logs").string() << "/%a.out\"\n"
    << "# Written by dssim sweep --emit slurm; one sweep point per array task. Submit: sbatch sweep.sbatch\n"
    << "# Gather: dssim sweep " << fs::absolute(sweep_path).string() << " --out " << fs::absolute(dir).string() << " --merge\n"
    << "set -eu\n"
    << "export DSSIM_DATA_DIR=" << shell_quote(std::getenv("DSSIM_DATA_DIR") ? std::getenv("DSSIM_DATA_DIR") : DSSIM_DEFAULT_DATA_DIR)
    << "\n"
    << "test -s " << shell_quote(fs::absolute(dir / "points").string()) << "/\"$SLURM_ARRAY_TASK_ID\".row && exit 0  # done earlier\n"
    << shell_quote(exe) << " sweep " << shell_quote(fs::absolute(sweep_path).string()) << " --out "
    << shell_quote(fs::absolute(dir).string()) << " --point \"$SLURM_ARRAY_TASK_ID\"\n";
  f.commit();
  fs::permissions(script, fs::perms::owner_exec, fs::perm_options::add);
}

std::vector<std::vector<std::string>> read_rows(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(p);
  std::string line;
  std::vector<std::string> f;
  while (std::getline(in, line))
    if (!line.empty() && parse_csv_line(line, f)) rows.push_back(f);
  return rows;
}

// An earlier run's rows that can be kept: whole (every column, a point of this sweep), in a file
// that ends with a line break. A truncated last row (a killed run) is dropped; a bad row elsewhere
// means the file is not this sweep's. Rows of points that failed are dropped too: they run again.
struct Earlier {
  std::vector<std::string> kept;  // data rows, as written
  std::set<std::size_t> done;
  int truncated = 0, retried = 0;
};
Earlier read_earlier(const fs::path& results, const std::string& header, std::size_t points) {
  std::ifstream in(results, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<std::string> lines = split(text, '\n');
  const bool whole_last = !text.empty() && text.back() == '\n';
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty() || lines[0] != header)
    throw Error(fmt("%s exists with other columns: not a run of this sweep (use another --out)", results.string().c_str()));
  std::vector<std::string> head;
  parse_csv_line(header, head);
  const std::size_t status = static_cast<std::size_t>(std::find(head.begin(), head.end(), "status") - head.begin());
  Earlier e;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f;
    const bool last = i + 1 == lines.size();
    std::size_t point = 0;
    bool ok = parse_csv_line(lines[i], f) && f.size() == head.size() && !f[0].empty() &&
              f[0].find_first_not_of("0123456789") == std::string::npos && f[0].size() < 12;
    if (ok) point = std::stoul(f[0]);
    ok = ok && point < points && !e.done.count(point) && !(last && !whole_last);
    if (!ok) {
      if (last) {
        ++e.truncated;
        break;
      }
      throw Error(fmt("%s:%zu: not a whole row of this sweep; use another --out, or delete the file to start over",
                      results.string().c_str(), i + 1));
    }
    if (f[status].rfind("error", 0) == 0) {
      ++e.retried;
      continue;
    }
    e.done.insert(point);
    e.kept.push_back(lines[i]);
  }
  return e;
}

// One sweep writes a folder at a time: a second one on it is refused while the first holds the lock.
int lock_folder(const fs::path& dir) {
  const std::string lock = (dir / ".lock").string();
  const int fd = open(lock.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(fmt("%s: cannot create the sweep's lock file", lock.c_str()));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0)
    throw Error(fmt("%s: another dssim sweep is writing this folder; wait for it, or use another --out",
                    dir.string().c_str()));
  return fd;  // held until the process ends
}

void write_pareto(const fs::path& dir) {
  auto rows = read_rows(dir / "results.csv");
  auto front = pareto_front(rows, "tpot_p50_s", "usd_per_million_tokens_onprem");
  OutputFile f((dir / "pareto.csv").string());
  for (const auto& r : front) f << csv_line(r) << "\n";
  f.commit();
  OutputFile g((dir / "pareto.gp").string());
  // column numbers of the two metrics, found from the header; the axes sit between "point" and "status"
  const auto& h = rows.empty() ? std::vector<std::string>{} : rows[0];
  auto col = [&](const std::string& n) { return std::find(h.begin(), h.end(), n) - h.begin() + 1; };
  const auto lc = col("tpot_p50_s"), cc = col("usd_per_million_tokens_onprem"), status = col("status");
  // Each front point is labelled by its axis values ("gpu=h200-sxm batch=4"), built by gnuplot from the row.
  std::string label;
  for (long i = 2; i < static_cast<long>(status) && i <= static_cast<long>(h.size()); ++i) {
    const std::string& key = h[static_cast<std::size_t>(i - 1)];
    const std::string shortname = key.substr(key.find('.') + 1);
    label += (label.empty() ? "" : ".' '.") + fmt("'%s='.strcol(%ld)", shortname.c_str(), i);
  }
  if (label.empty()) label = "''";
  const std::size_t on_front = front.empty() ? 0 : front.size() - 1;  // its first row is the header
  g << "# gnuplot pareto.gp: every point (results.csv) and the Pareto front (pareto.csv), TPOT vs $/M tokens\n"
       "set datafile separator ','\nset key top right\nset grid\nset logscale y\n"
       "set xlabel 'time per output token, p50 (ms)'\nset ylabel 'USD per million output tokens (on-prem)'\n"
    << fmt("set title \"The cheapest $/M tokens at each TPOT: %zu of %zu points are on the front\"\n", on_front,
           rows.empty() ? std::size_t{0} : rows.size() - 1)
    << "stats 'results.csv' skip 1 nooutput\n"
       "set terminal svg size 900,560 dynamic noenhanced\nset output 'pareto.svg'\n";
  g << fmt("plot 'results.csv' skip 1 using ($%ld*1000):%ld with points pt 7 ps 0.6 title 'points', "
           "'pareto.csv' skip 1 using ($%ld*1000):%ld with linespoints lw 2 pt 7 title 'Pareto front', "
           "'pareto.csv' skip 1 using ($%ld*1000):%ld:(%s) with labels left offset 0.8,0.4 font ',8' notitle\n",
           static_cast<long>(lc), static_cast<long>(cc), static_cast<long>(lc), static_cast<long>(cc),
           static_cast<long>(lc), static_cast<long>(cc), label.c_str());
  g << "set terminal pngcairo size 900,560 noenhanced\nset output 'pareto.png'\nreplot\n";
  g.commit();
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& args) {
  std::string path, out;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool quiet = false, merge = false;
  std::string emit;
  long long point = -1;
  po::options_description desc("sweep options");
  desc.add_options()("sweep", po::value(&path)->required(), "sweep file")("out", po::value(&out)->required(), "output folder")(
      "jobs", po::value(&jobs), "points at a time (default: the cores)")("quiet", po::bool_switch(&quiet), "no progress bar")(
      "emit", po::value(&emit), "slurm: write DIR/sweep.sbatch (an array job, one point per task) instead of running")(
      "point", po::value(&point), "run one point and write DIR/points/<point>.row (what each array task does)")(
      "merge", po::bool_switch(&merge), "gather DIR/points/*.row into results.csv and the Pareto front");
  po::positional_options_description pos;
  pos.add("sweep", 1);
  parse_options(args, desc, &pos, "sweep");
  if (jobs < 1 || jobs > 1024) throw Error(fmt("--jobs must be in [1, 1024], got %d", jobs));
  SweepSpec s = load_sweep(path);
  const std::size_t n = s.points();
  fs::create_directories(out);
  if (!emit.empty()) {
    if (emit != "slurm") throw Error(fmt("--emit '%s': expected slurm", emit.c_str()));
    emit_slurm(s, path, out, self_exe());
    std::cout << fmt("dssim sweep | wrote %s/sweep.sbatch: a Slurm array of %zu tasks; then: dssim sweep %s --out %s --merge\n",
                     out.c_str(), n, path.c_str(), out.c_str());
    return 0;
  }
  if (point >= 0) {
    if (static_cast<std::size_t>(point) >= n) throw Error(fmt("--point %lld: the sweep has points 0..%zu", point, n - 1));
    Child c = spawn_point(self_exe(), s, static_cast<std::size_t>(point));
    int status = 0;
    while (waitpid(c.pid, &status, 0) < 0) {
    }
    const std::string row = finish_point(s, c);
    fs::create_directories(fs::path(out) / "points");
    write_file((fs::path(out) / "points" / fmt("%lld.row", point)).string(), row + "\n");  // whole or absent
    return 0;
  }
  if (merge) {
    OutputFile res((fs::path(out) / "results.csv").string());
    res << results_header(s) << "\n";
    std::vector<std::size_t> missing;
    for (std::size_t i = 0; i < n; ++i) {
      std::ifstream in(fs::path(out) / "points" / fmt("%zu.row", i));
      std::string row;
      if (in && std::getline(in, row) && !row.empty()) res << row << "\n";
      else missing.push_back(i);
    }
    res.commit();
    write_pareto(out);
    if (!missing.empty())
      throw Error(fmt("%zu of %zu points have no result yet (first: %zu): resubmit the array job, then merge again",
                      missing.size(), n, missing.front()));
    std::cout << fmt("dssim sweep | merged %zu points into %s/results.csv\n", n, out.c_str());
    return 0;
  }
  const fs::path results = fs::path(out) / "results.csv";
  const std::string header = results_header(s);

  // Resume: keep the whole rows of an earlier run of the same sweep, run the points that are missing
  // or failed. The sweep file and its base scenario must be the ones that wrote those rows.
  lock_folder(out);
  const fs::path fp_file = fs::path(out) / "sweep.fingerprint";
  const std::string fp = sweep_fingerprint(s);
  std::set<std::size_t> done;
  if (fs::exists(results)) {
    std::ifstream fin(fp_file);
    std::string old_fp;
    std::getline(fin, old_fp);
    if (old_fp != fp)
      throw Error(fmt("%s was written by %s: %s or its base scenario %s has changed since (or the folder is not this "
                      "sweep's), so its rows would not match; use another --out, or delete results.csv to start over",
                      results.string().c_str(), old_fp.empty() ? "an unknown sweep" : "another version of this sweep",
                      path.c_str(), s.base.c_str()));
    const Earlier e = read_earlier(results, header, n);
    done = e.done;
    if (e.truncated)
      std::cerr << fmt("dssim: warning: %s: the last row was cut short (a killed run); that point runs again\n",
                       results.string().c_str());
    if (e.retried) std::cerr << fmt("dssim: warning: %d point%s that failed before run%s again\n", e.retried,
                                    e.retried > 1 ? "s" : "", e.retried > 1 ? "" : "s");
    write_file(results.string(), header + "\n" + (e.kept.empty() ? "" : join(e.kept, "\n") + "\n"));
  } else {
    write_file(fp_file.string(), fp + "\n");
    write_file(results.string(), header + "\n");
  }
  std::ofstream res(results, std::ios::app);
  const std::string exe = self_exe();
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < n; ++i)
    if (!done.count(i)) todo.push_back(i);

  std::map<std::size_t, std::string> ready;  // finished rows waiting for earlier points
  std::size_t next_launch = 0, next_write = 0, finished = 0;
  std::map<pid_t, Child> running;
  const auto t0 = std::chrono::steady_clock::now();
  // A bar redrawn with \r on a terminal; in a log file, one line per tenth of the points.
  const bool bar = !quiet && ::isatty(STDERR_FILENO);
  std::size_t logged_tenths = 0;
  auto progress = [&] {
    if (quiet) return;
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double eta = finished ? el / static_cast<double>(finished) * static_cast<double>(todo.size() - finished) : 0;
    if (!bar) {
      const std::size_t tenths = todo.empty() ? 10 : 10 * finished / todo.size();
      if (tenths > logged_tenths) {
        logged_tenths = tenths;
        std::fprintf(stderr, "dssim: sweep %zu/%zu points, %.0f s, ETA %.0f s\n", finished + done.size(), n, el, eta);
      }
      return;
    }
    const int width = 30, fill = todo.empty() ? width : static_cast<int>(width * finished / todo.size());
    std::fprintf(stderr, "\r[%s%s] %zu/%zu points, %.0f s, ETA %.0f s ", std::string(static_cast<std::size_t>(fill), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - fill), '.').c_str(), finished + done.size(), n, el, eta);
  };
  progress();
  while (finished < todo.size()) {
    while (running.size() < static_cast<std::size_t>(jobs) && next_launch < todo.size()) {
      Child c = spawn_point(exe, s, todo[next_launch++]);
      running.emplace(c.pid, c);
    }
    // keep the pipes flowing so no child blocks on a full pipe
    for (auto& [pid, c] : running) {
      drain(c.out_fd, c.out);
      drain(c.err_fd, c.err);
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    Child& c = it->second;
    ready[c.index] = finish_point(s, c);
    running.erase(it);
    ++finished;
    while (next_write < todo.size() && ready.count(todo[next_write])) {
      res << ready[todo[next_write]] << "\n";
      res.flush();
      if (!res) throw Error(fmt("%s: write failed; the sweep stopped (rerun to resume)", results.string().c_str()));
      ready.erase(todo[next_write]);
      ++next_write;
    }
    progress();
  }
  if (bar) std::fprintf(stderr, "\n");
  res.close();
  if (!res) throw Error(fmt("%s: write failed; the sweep stopped (rerun to resume)", results.string().c_str()));
  {  // in point order, whatever order retries and resumes left them in
    std::vector<std::pair<std::size_t, std::string>> rows;
    std::ifstream in(results);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> f;
    while (std::getline(in, line))
      if (parse_csv_line(line, f) && !f.empty()) rows.emplace_back(std::stoul(f[0]), line);
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string text = header + "\n";
    for (const auto& r : rows) text += r.second + "\n";
    write_file(results.string(), text);
  }
  // A sweep whose every point failed says so (a misspelled axis key, a base that cannot run): exit 1.
  const auto rows = read_rows(results);
  const auto status = static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), "status") - rows[0].begin());
  auto failed = [&](const std::vector<std::string>& row) { return status < row.size() && row[status].rfind("error", 0) == 0; };
  if (rows.size() > 1 && std::all_of(rows.begin() + 1, rows.end(), failed))
    throw Error(fmt("every one of the %zu points of %s failed (each row of %s says why); the first: %s", n, path.c_str(),
                    results.string().c_str(), rows[1][status].c_str()));
  write_pareto(out);
  const bool pictures = run_program({"gnuplot", "pareto.gp"}, {out, "", ""}) == 0;
  std::cout << fmt("dssim sweep | %s: %zu points (%zu run now, %zu from an earlier run) in %s\n", path.c_str(), n,
                   todo.size(), done.size(), results.string().c_str());
  std::cout << fmt("Pareto front (TPOT p50 vs $/M tokens on-prem): %s/pareto.csv%s\n", out.c_str(),
                   pictures ? ", pareto.svg, pareto.png" : " and pareto.gp (install gnuplot for the picture)");
  return 0;
}

}  // namespace dssim
