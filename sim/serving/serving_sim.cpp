#include "serving/serving_sim.hpp"

#include <simgrid/s4u.hpp>

#include "hw/engine.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>

#include "hw/platform.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace sg4 = simgrid::s4u;

namespace dssim {

namespace {

struct Replica {
  std::unique_ptr<ReplicaScheduler> sched;
  std::unique_ptr<GpuPowerState> power;
  sg4::Host* gpu = nullptr;
  std::vector<sg4::Host*> gpus, cpus;  // every GPU of the replica and its node's CPU (weight offload)
  sg4::MutexPtr mu = sg4::Mutex::create();
  sg4::ConditionVariablePtr wake = sg4::ConditionVariable::create();
  bool sleeping = false;  // waiting on `wake`: only then does an arrival need the mutex and a notify
};

struct World {
  const ServingConfig* cfg;
  const std::vector<Request>* requests;
  const IterationCostFn* cost;
  const ServingOptions* opt;
  Platform platform;
  std::vector<Replica> replicas;
  ServingRun run;
  bool arrivals_done = false;
  long long done = 0;
  long long in_system = 0;
  double last_change_s = 0;
  std::chrono::steady_clock::time_point last_progress = std::chrono::steady_clock::now();

  // Little's law bookkeeping: integrate the number of requests in the system between changes.
  void change_in_system(double now, long long delta) {
    run.in_system_integral += static_cast<double>(in_system) * (now - last_change_s);
    last_change_s = now;
    in_system += delta;
  }
  void progress(double now) {
    if (!opt->progress) return;
    auto wall = std::chrono::steady_clock::now();
    if (wall - last_progress < std::chrono::seconds(1)) return;
    last_progress = wall;
    std::fprintf(stderr, "dssim: simulated %.1f s, %lld of %zu requests done\n", now, done, requests->size());
  }
};

int route(World& w, long long n) {
  const int R = static_cast<int>(w.replicas.size());
  if (w.cfg->router == Router::round_robin) return static_cast<int>(n % R);
  int best = 0;
  for (int r = 1; r < R; ++r)
    if (w.replicas[r].sched->outstanding() < w.replicas[best].sched->outstanding()) best = r;
  return best;
}

void generator(World* w) {
  for (std::size_t i = 0; i < w->requests->size(); ++i) {
    const Request& q = (*w->requests)[i];
    if (q.arrival_s > sg4::Engine::get_clock()) sg4::this_actor::sleep_until(q.arrival_s);
    SeqState* s = &w->run.seqs[i];
    Replica& r = w->replicas[static_cast<std::size_t>(route(*w, static_cast<long long>(i)))];
    if (!r.sched->enqueue(s)) continue;
    w->change_in_system(sg4::Engine::get_clock(), +1);
    // A busy replica finds the request at its next plan; a sleeping one is woken. (Cooperative actors:
    // a replica that is about to sleep re-checks for work under the mutex before waiting.)
    if (r.sleeping) {
      std::unique_lock<sg4::Mutex> lock(*r.mu);
      r.wake->notify_all();
    }
  }
  w->arrivals_done = true;
  for (auto& r : w->replicas) {
    std::unique_lock<sg4::Mutex> lock(*r.mu);
    r.wake->notify_all();
  }
}

void replica_loop(World* w, int index) {
  Replica& r = w->replicas[static_cast<std::size_t>(index)];
  std::vector<SeqState*> finished;
  IterationPlan plan;
  while (true) {
    // Actors are cooperative: between simcalls nothing else runs, so the mutex (a simcall) is only
    // taken to sleep until the generator brings work.
    if (!r.sched->has_work()) {
      std::unique_lock<sg4::Mutex> lock(*r.mu);
      r.sleeping = true;
      while (!r.sched->has_work() && !w->arrivals_done) r.wake->wait(lock);
      r.sleeping = false;
      if (!r.sched->has_work()) return;
    }
    r.sched->plan(sg4::Engine::get_clock(), plan);
    if (plan.empty()) throw Error("internal: a replica with work planned an empty iteration", ExitCode::internal);
    const double start = sg4::Engine::get_clock();
    const IterationCostBreakdown cost = (*w->cost)(plan.shape);
    const double dur = r.power ? r.power->run(cost, start) : cost.total_s;
    // Offloaded weights stream from host memory to every GPU of the replica while it computes.
    std::vector<sg4::CommPtr> streams;
    if (cost.stream_bytes > 0)
      for (std::size_t g = 0; g < r.gpus.size(); ++g)
        streams.push_back(sg4::Comm::sendto_async(r.cpus[g], r.gpus[g], static_cast<uint64_t>(cost.stream_bytes)));
    sg4::ExecPtr exec = sg4::Exec::init()->set_flops_amount(dur * kGpuSpeed)->set_host(r.gpu);
    exec->start();
    exec->wait();
    for (auto& c : streams) c->wait();
    const double end = sg4::Engine::get_clock();
    finished.clear();
    r.sched->complete(plan, end, finished);
    ServingRun& run = w->run;
    ++run.iteration_count;
    run.busy_s += end - start;
    run.sequences_sum += plan.sequences();
    if (w->opt->record_iterations) {
      long long pt = 0;
      for (const auto& c : plan.shape.prefill) pt += c.tokens;
      run.iterations.push_back({index, start, end, plan.sequences(), pt, plan.shape.decode});
    }
    if (!finished.empty()) {
      w->change_in_system(end, -static_cast<long long>(finished.size()));
      w->done += static_cast<long long>(finished.size());
      run.end_s = std::max(run.end_s, end);
    }
    w->progress(end);
  }
}

}  // namespace

IterationCostBreakdown fixed_iteration(double seconds) {
  IterationCostBreakdown b;
  b.gpu_s = b.total_s = seconds;
  return b;
}

ServingRun run_serving(const NodeSpec& node, const GpuCard& gpu, int gpus_per_replica, const ServingConfig& cfg,
                       const std::vector<Request>& requests, const IterationCostFn& cost, long long kv_blocks_per_replica,
                       const ServingOptions& opt) {
  if (cfg.replicas * gpus_per_replica > node.total_gpus())
    throw Error(fmt("%d replicas x %d GPUs each need %d GPUs; the platform has %d", cfg.replicas, gpus_per_replica,
                    cfg.replicas * gpus_per_replica, node.total_gpus()));

  auto engine_ptr = create_engine();
  sg4::Engine& engine = *engine_ptr;

  World w;
  w.cfg = &cfg;
  w.requests = &requests;
  w.cost = &cost;
  w.opt = &opt;
  w.platform = build_platform(engine, node, gpu);
  w.run.seqs.resize(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    SeqState& s = w.run.seqs[i];
    s.id = requests[i].id;
    s.arrival_s = requests[i].arrival_s;
    s.prompt = requests[i].prompt_tokens;
    s.output = requests[i].output_tokens;
  }
  w.replicas.resize(static_cast<std::size_t>(cfg.replicas));
  for (int r = 0; r < cfg.replicas; ++r) {
    w.replicas[static_cast<std::size_t>(r)].sched = std::make_unique<ReplicaScheduler>(cfg, kv_blocks_per_replica);
    Replica& rep = w.replicas[static_cast<std::size_t>(r)];
    rep.gpu = w.platform.gpus[static_cast<std::size_t>(r * gpus_per_replica)];
    for (int g = r * gpus_per_replica; g < (r + 1) * gpus_per_replica; ++g) {
      rep.gpus.push_back(w.platform.gpus[static_cast<std::size_t>(g)]);
      rep.cpus.push_back(w.platform.cpus[static_cast<std::size_t>(g / node.gpu_count)]);
    }
    if (opt.power) w.replicas[static_cast<std::size_t>(r)].power = std::make_unique<GpuPowerState>(*opt.power);
  }
  ActorFailure failure;
  sg4::Actor::create("generator", w.platform.cpu, failure.guarded([&w] { generator(&w); }));
  for (int r = 0; r < cfg.replicas; ++r)
    sg4::Actor::create("replica" + std::to_string(r), w.platform.cpu, failure.guarded([&w, r] { replica_loop(&w, r); }));
  failure.run_guarded(engine);
  for (auto& r : w.replicas) w.run.preemptions += r.sched->preemptions();
  for (std::size_t i = 0; i < w.replicas.size(); ++i) {
    GpuPowerState* p = w.replicas[i].power.get();
    if (!p) continue;
    p->idle_until(w.run.end_s);  // every GPU is accounted until the last request finishes
    w.run.energy.push_back({static_cast<int>(i), p->energy_j(), p->busy_energy_j(), p->busy_s(), p->throttled_s(),
                            p->max_temp_c(), p->shutdown_reached(), p->samples()});
  }
  w.change_in_system(w.run.end_s > w.last_change_s ? w.run.end_s : w.last_change_s, 0);
  return std::move(w.run);
}

}  // namespace dssim
