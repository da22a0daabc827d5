// dssim_golden: golden outputs of every shipped scenario and of the README's examples.
//   dssim_golden list                  the cases and their formats
//   dssim_golden check NAME... | --all runs each case, compares with tests/golden/, prints a diff
//   dssim_golden inventory             every case has its goldens and every golden a case
//   dssim_golden update [NAME...]      rewrites the goldens and prints which figures moved, by how much
// Text is compared exactly; a JSON stdout number by number within kJsonRelTol (README.md).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "config/toml_table.hpp"
#include "golden_json.hpp"
#include "line_diff.hpp"
#include "util/error.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace fs = std::filesystem;

namespace golden {

constexpr double kJsonRelTol = 1e-6;  // dssim writes 10 significant digits; this is far above that noise

struct Case {
  std::string name;                  // also the golden's path under tests/golden/
  std::vector<std::string> args;     // {out}: a fresh folder that does not exist yet
  std::vector<std::string> formats;  // "text" adds nothing; "json"/"csv" add --format X
  std::vector<std::string> files;    // files the run writes under {out}, kept in the golden
};

struct Env {
  fs::path root, dssim;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every scenario under scenarios/ except sweep files (scenarios/sweeps/), recommend files
// (scenarios/recommend/) and study files (the top of
// scenarios/studies/; the rows under it are scenarios).
std::vector<Case> scenario_cases(const fs::path& root) {
  std::vector<Case> cases;
  for (const auto& e : fs::recursive_directory_iterator(root / "scenarios")) {
    if (!e.is_regular_file() || e.path().extension() != ".toml") continue;
    const fs::path rel = fs::relative(e.path(), root);
    const std::string r = rel.generic_string();
    if (r.rfind("scenarios/sweeps/", 0) == 0 || r.rfind("scenarios/recommend/", 0) == 0) continue;
    if (rel.parent_path() == "scenarios/studies") continue;
    Case c;
    c.name = (rel.parent_path() / rel.stem()).generic_string();
    c.args = {r, "--quiet"};
    c.formats = {"text", "json"};
    cases.push_back(c);
  }
  return cases;
}

std::vector<Case> listed_cases(const fs::path& root) {
  const std::string path = (root / "tests/golden/cases.toml").string();
  auto doc = dssim::TomlTable::parse_file(path);
  std::vector<Case> cases;
  const toml::node* list = doc->get("case");
  if (!list || !list->is_array_of_tables()) throw dssim::Error(path + ": expected [[case]] tables");
  int n = 0;
  for (const toml::node& node : *list->as_array()) {
    dssim::TomlTable t(*node.as_table(), path, dssim::fmt("case[%d]", n++));
    Case c;
    c.name = "cases/" + t.get_string("name");
    auto strings = [&](const std::string& key) {
      std::vector<std::string> v;
      if (const toml::array* a = node.as_table()->get_as<toml::array>(key))
        for (const auto& x : *a) v.push_back(x.value<std::string>().value_or(""));
      t.allow({key});
      return v;
    };
    c.args = strings("args");
    c.formats = strings("formats");
    c.files = strings("files");
    if (c.formats.empty()) c.formats = {"text"};
    t.finish();
    cases.push_back(c);
  }
  return cases;
}

std::vector<Case> all_cases(const fs::path& root) {
  auto cases = scenario_cases(root);
  auto more = listed_cases(root);
  cases.insert(cases.end(), more.begin(), more.end());
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return cases;
}

fs::path golden_path(const Env& env, const Case& c, const std::string& format) {
  return env.root / "tests/golden" / (c.name + "." + format + ".golden");
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}

std::string section(const std::string& name, std::string body) {
  std::string head = "@@ " + name;
  if (!body.empty() && body.back() != '\n') {
    head += " (no final newline)";
    body += "\n";
  }
  return head + "\n" + body;
}

// Runs one case in one format; returns the golden text.
std::string run_case(const Env& env, const Case& c, const std::string& format) {
  char tmpl[] = "/tmp/dssim_golden_XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  const fs::path tmp = tmpl, out = tmp / "out";
  std::vector<std::string> argv{env.dssim.string()};
  for (const auto& a : c.args) argv.push_back(replace_all(a, "{out}", out.string()));
  if (format != "text") {
    argv.push_back("--format");
    argv.push_back(format);
  }
  const int rc = dssim::run_program(argv, {env.root.string(), (tmp / "stdout").string(), (tmp / "stderr").string()});
  // Outputs name files under the data directory: the checkout's location is not part of the figure.
  const std::string root = fs::weakly_canonical(env.root).string();
  auto clean = [&](const std::string& text) { return replace_all(replace_all(text, out.string(), "{out}"), root, "{root}"); };
  std::string shown = "$ dssim";
  for (std::size_t i = 1; i < argv.size(); ++i) shown += " " + replace_all(argv[i], out.string(), "{out}");
  std::string g = shown + "\n@@ exit " + std::to_string(rc) + "\n";
  g += section("stderr", clean(read_file(tmp / "stderr")));
  g += section("stdout", clean(read_file(tmp / "stdout")));
  for (const auto& f : c.files) {
    if (fs::exists(tmp / f)) g += section("file " + f, clean(read_file(tmp / f)));
    else g += "@@ file " + f + " (missing)\n";
  }
  fs::remove_all(tmp);
  return g;
}

std::map<std::string, std::string> sections(const std::string& golden) {
  std::map<std::string, std::string> s;
  std::string cur = "command";
  for (const auto& line : split_lines(golden)) {
    if (line.rfind("@@ ", 0) == 0) {
      cur = line.substr(3);
      s[cur];
      continue;
    }
    s[cur] += line + "\n";
  }
  return s;
}

bool json_equal(const std::string& a, const std::string& b) {
  try {
    return same_within(flatten_json(a), flatten_json(b), kJsonRelTol);
  } catch (const std::exception&) {
    return a == b;
  }
}

// "" when the new output matches the golden, else a readable diff.
std::string compare(const std::string& format, const std::string& old_g, const std::string& new_g) {
  if (old_g == new_g) return "";
  if (format == "json") {
    auto a = sections(old_g), b = sections(new_g);
    const std::string sa = a.count("stdout") ? a["stdout"] : "", sb = b.count("stdout") ? b["stdout"] : "";
    a.erase("stdout");
    b.erase("stdout");
    if (a == b && json_equal(sa, sb)) return "";
  }
  return line_diff(old_g, new_g, 60);
}

// The figures that moved between two JSON goldens, largest change first.
std::string moved_figures(const std::string& old_g, const std::string& new_g) {
  std::vector<Leaf> a, b;
  try {
    a = flatten_json(sections(old_g)["stdout"]);
    b = flatten_json(sections(new_g)["stdout"]);
  } catch (const std::exception&) {
    return "";
  }
  std::map<std::string, const Leaf*> old_by_path;
  for (const auto& l : a) old_by_path[l.path] = &l;
  struct Move { double rel; std::string line; };
  std::vector<Move> moves;
  for (const auto& l : b) {
    auto it = old_by_path.find(l.path);
    if (it == old_by_path.end()) { moves.push_back({INFINITY, "  + " + l.path + " = " + l.text}); continue; }
    const Leaf& o = *it->second;
    old_by_path.erase(it);
    if (o.number && l.number) {
      const double x = *o.number, y = *l.number;
      if (std::fabs(x - y) <= kJsonRelTol * std::max(std::fabs(x), std::fabs(y))) continue;
      const double r = relative_change(x, y);
      moves.push_back({std::fabs(r), dssim::fmt("  %-44s %s -> %s (%s)", l.path.c_str(), o.text.c_str(), l.text.c_str(),
                                                std::isfinite(r) ? dssim::fmt("%+.2f %%", r * 100).c_str() : "from 0")});
    } else if (o.text != l.text) {
      moves.push_back({INFINITY, "  " + l.path + ": " + o.text + " -> " + l.text});
    }
  }
  for (const auto& [p, l] : old_by_path) moves.push_back({INFINITY, "  - " + p + " = " + l->text});
  std::stable_sort(moves.begin(), moves.end(), [](const Move& x, const Move& y) { return x.rel > y.rel; });
  std::string out;
  for (std::size_t i = 0; i < moves.size() && i < 25; ++i) out += moves[i].line + "\n";
  if (moves.size() > 25) out += dssim::fmt("  ... and %zu more\n", moves.size() - 25);
  return out;
}

// Runs `work(i)` for i in [0, n) on all cores.
template <class F>
void parallel_for(std::size_t n, F work) {
  std::atomic<std::size_t> next{0};
  const unsigned threads = std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(), 8));
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (std::size_t i; (i = next++) < n;) work(i);
    });
  for (auto& th : pool) th.join();
}

struct Job { const Case* c; std::string format; };

std::vector<Job> jobs_of(const std::vector<Case>& cases, const std::vector<std::string>& names) {
  std::vector<Job> jobs;
  for (const auto& c : cases)
    if (names.empty() || std::find(names.begin(), names.end(), c.name) != names.end())
      for (const auto& f : c.formats) jobs.push_back({&c, f});
  for (const auto& n : names)
    if (std::none_of(cases.begin(), cases.end(), [&](const Case& c) { return c.name == n; }))
      throw dssim::Error("no golden case named '" + n + "' (dssim_golden list)");
  return jobs;
}

// Runs every job on all cores and gives `judge(job, golden path, output now)` each result; returns
// what the judges said, in job order ("" for nothing to say).
template <class F>
std::vector<std::string> run_jobs(const Env& env, const std::vector<Job>& jobs, F judge) {
  std::vector<std::string> reports(jobs.size());
  parallel_for(jobs.size(), [&](std::size_t i) {
    const Job& j = jobs[i];
    reports[i] = judge(j, golden_path(env, *j.c, j.format), run_case(env, *j.c, j.format));
  });
  return reports;
}

// Prints the non-empty reports; returns how many there were.
int print_reports(const std::vector<std::string>& reports, const char* separator) {
  int n = 0;
  for (const auto& r : reports)
    if (!r.empty()) {
      std::cout << r << separator;
      ++n;
    }
  return n;
}

int check(const Env& env, const std::vector<Case>& cases, const std::vector<std::string>& names) {
  const auto jobs = jobs_of(cases, names);
  const auto reports = run_jobs(env, jobs, [&](const Job& j, const fs::path& g, const std::string& now) -> std::string {
    if (!fs::exists(g))
      return dssim::fmt("%s (%s): no golden %s; run dssim_golden update %s\n", j.c->name.c_str(), j.format.c_str(),
                        g.string().c_str(), j.c->name.c_str());
    const std::string d = compare(j.format, read_file(g), now);
    if (d.empty()) return "";
    return dssim::fmt("%s (%s) differs from %s:\n%s", j.c->name.c_str(), j.format.c_str(),
                      fs::relative(g, env.root).string().c_str(), d.c_str());
  });
  if (const int bad = print_reports(reports, "\n")) {
    std::cout << bad << " of " << jobs.size() << " outputs differ. If the change is meant, regenerate with "
              << "dssim_golden update and explain the moved figures in the commit.\n";
    return 1;
  }
  std::cout << "ok: " << jobs.size() << " outputs match their goldens\n";
  return 0;
}

int update(const Env& env, const std::vector<Case>& cases, const std::vector<std::string>& names) {
  const auto jobs = jobs_of(cases, names);
  const auto reports = run_jobs(env, jobs, [&](const Job& j, const fs::path& g, const std::string& now) -> std::string {
    const bool existed = fs::exists(g);
    const std::string old = existed ? read_file(g) : "";
    if (existed && compare(j.format, old, now).empty()) return "";
    fs::create_directories(g.parent_path());
    std::ofstream(g, std::ios::binary) << now;
    std::string r = dssim::fmt("%s (%s): %s\n", j.c->name.c_str(), j.format.c_str(), existed ? "changed" : "new");
    if (existed) {
      const std::string figs = j.format == "json" ? moved_figures(old, now) : "";
      r += figs.empty() ? line_diff(old, now, 30) : figs;
    }
    return r;
  });
  const int changed = print_reports(reports, "");
  std::cout << dssim::fmt("%d of %zu outputs changed\n", changed, jobs.size());
  return 0;
}

// Goldens without a case (a renamed scenario) and cases without goldens.
int inventory(const Env& env, const std::vector<Case>& cases) {
  std::set<fs::path> expected;
  int bad = 0;
  for (const auto& c : cases)
    for (const auto& f : c.formats) {
      const fs::path g = golden_path(env, c, f);
      expected.insert(g);
      if (!fs::exists(g)) {
        std::cout << "missing: " << fs::relative(g, env.root).string() << " (dssim_golden update " << c.name << ")\n";
        ++bad;
      }
    }
  for (const auto& e : fs::recursive_directory_iterator(env.root / "tests/golden"))
    if (e.is_regular_file() && e.path().extension() == ".golden" && !expected.count(e.path())) {
      std::cout << "stale: " << fs::relative(e.path(), env.root).string() << " has no case: delete it\n";
      ++bad;
    }
  if (bad) return 1;
  std::cout << "ok: " << expected.size() << " goldens, one per case and format\n";
  return 0;
}


// Every JSON golden against docs/json.md: the envelope first (dssim_version, kind), a kind the page
// documents (a "## `kind`" heading), and every key path written on the page in backticks (`a.b`,
// `a[].b`; `*` stands for any one key). A key added to an output without its line there fails.
bool matches(const std::vector<std::string>& path, const std::vector<std::string>& pattern) {
  if (path.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < path.size(); ++i)
    if (pattern[i] != path[i] && !(pattern[i] == "*" || pattern[i] == "*[]") ) return false;
  return true;
}

struct Schema {
  std::vector<std::vector<std::string>> patterns;
  std::set<std::string> kinds;
};

Schema read_schema(const Env& env) {
  const std::string doc = read_file(env.root / "docs/json.md");
  Schema sc;
  for (std::size_t i = doc.find('`'); i != std::string::npos; i = doc.find('`', i + 1)) {
    const std::size_t end = doc.find('`', i + 1);
    if (end == std::string::npos) break;
    const std::string t = doc.substr(i + 1, end - i - 1);
    // A key path: at least one named key (a bare `*` in the prose documents nothing).
    if (!t.empty() && t.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.*[]") == std::string::npos &&
        t.find_first_not_of("*.[]") != std::string::npos)
      sc.patterns.push_back(dssim::split(t, '.'));
    if (doc.compare(i >= 4 ? i - 4 : 0, 4, "\n## ") == 0) sc.kinds.insert(t);
    i = end;
  }
  return sc;
}

// The problems of one JSON document against the schema (0: none); its kind into `kind`.
int check_document(const Schema& sc, const std::string& where, const std::string& json, std::string& kind) {
  const std::vector<Leaf> leaves = flatten_json(json);
  if (leaves.size() < 2 || leaves[0].path != "dssim_version" || leaves[1].path != "kind") {
    std::cout << where << ": does not start with dssim_version and kind\n";
    return 1;
  }
  int bad = 0;
  kind = leaves[1].text.size() >= 2 ? leaves[1].text.substr(1, leaves[1].text.size() - 2) : "";
  if (!sc.kinds.count(kind)) {
    std::cout << where << ": kind '" << kind << "' has no section in docs/json.md\n";
    ++bad;
  }
  std::set<std::string> reported;
  for (const Leaf& l : leaves) {
    std::string p;
    for (std::size_t k = 0; k < l.path.size(); ++k) {  // requests[3].x -> requests[].x
      if (l.path[k] == '[') {
        p += "[]";
        k = l.path.find(']', k);
      } else {
        p += l.path[k];
      }
    }
    const auto parts = dssim::split(p, '.');
    auto as_array = parts;
    as_array.back() += "[]";  // an empty array is a leaf of its own
    const bool ok = std::any_of(sc.patterns.begin(), sc.patterns.end(), [&](const auto& pat) {
      return matches(parts, pat) || (l.text == "[]" && matches(as_array, pat));
    });
    if (!ok && reported.insert(p).second) {
      std::cout << where << ": `" << p << "` is not documented in docs/json.md\n";
      ++bad;
    }
  }
  return bad;
}

// Every JSON golden, and any JSON files named (outputs that have no golden, as recommend's).
int schema(const Env& env, const std::vector<Case>& cases, const std::vector<std::string>& files) {
  const Schema sc = read_schema(env);
  int bad = 0, documents = 0;
  std::set<std::string> seen_kinds;
  auto one = [&](const std::string& where, const std::string& json) {
    std::string kind;
    bad += check_document(sc, where, json, kind);
    seen_kinds.insert(kind);
    ++documents;
  };
  for (const auto& c : cases)
    for (const auto& f : c.formats) {
      if (f != "json") continue;
      const fs::path g = golden_path(env, c, f);
      if (!fs::exists(g)) continue;
      const std::string out = sections(read_file(g))["stdout"];
      if (out.find_first_not_of(" \n") == std::string::npos) continue;  // failed before printing (an error case)
      one(fs::relative(g, env.root).string(), out);
    }
  for (const auto& f : files) one(f, read_file(f));
  if (bad) return 1;
  std::cout << dssim::fmt("ok: %d JSON documents, kinds %s, every key documented in docs/json.md\n", documents,
                          dssim::join(std::vector<std::string>(seen_kinds.begin(), seen_kinds.end()), ", ").c_str());
  return 0;
}

}  // namespace golden

int main(int argc, char** argv) {
  using namespace golden;
  std::vector<std::string> args(argv + 1, argv + argc);
  Env env{DSSIM_SOURCE_DIR, DSSIM_BINARY};
  try {
    while (args.size() >= 2 && (args[0] == "--root" || args[0] == "--dssim")) {
      (args[0] == "--root" ? env.root : env.dssim) = args[1];
      args.erase(args.begin(), args.begin() + 2);
    }
    if (args.empty()) {
      std::cerr << "usage: dssim_golden [--root DIR] [--dssim BIN] list | check NAME...|--all | inventory | schema [FILE.json...] | update [NAME...]\n";
      return 1;
    }
    if (!std::getenv("DSSIM_DATA_DIR")) setenv("DSSIM_DATA_DIR", env.root.c_str(), 1);
    const auto cases = all_cases(env.root);
    const std::string cmd = args[0];
    std::vector<std::string> names(args.begin() + 1, args.end());
    if (cmd == "list") {
      for (const auto& c : cases) std::cout << c.name << "  " << dssim::join(c.formats, ",") << "\n";
      return 0;
    }
    if (cmd == "check") {
      if (names == std::vector<std::string>{"--all"}) names.clear();
      else if (names.empty()) throw dssim::Error("check: name the cases, or --all");
      return check(env, cases, names);
    }
    if (cmd == "inventory") return inventory(env, cases);
    if (cmd == "schema") return schema(env, cases, names);
    if (cmd == "update") return update(env, cases, names);
    throw dssim::Error("unknown command '" + cmd + "'");
  } catch (const std::exception& e) {
    std::cerr << "dssim_golden: " << e.what() << "\n";
    return 1;
  }
}
