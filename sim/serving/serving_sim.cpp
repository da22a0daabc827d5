#include "serving/serving_sim.hpp"

#include <simgrid/s4u.hpp>

#include "hw/engine.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <cstdio>
#include <deque>
#include <memory>

#include "hw/platform.hpp"
#include "serving/actor_task.hpp"
#include "serving/event_queue.hpp"
#include "serving/request_csv.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace sg4 = simgrid::s4u;

namespace dssim {

namespace {

struct Replica {
  std::unique_ptr<ReplicaScheduler> sched;
  PoolRole role = PoolRole::unified;
  const ReplicaPool* pool = nullptr;
  int pool_index = 0;
  int transfers_out = 0;   // prefill: sequences whose KV is on its way out, their blocks still held
  int incoming = 0;        // decode: sequences whose KV is on its way in
  int first_gpu = 0;       // platform index of its first GPU (the thermal CSV numbers GPUs so)
  std::unique_ptr<GpuPowerState> power;
  sg4::Host* gpu = nullptr;
  std::vector<sg4::Host*> gpus, cpus;  // every GPU of the replica and its node's CPU (weight offload)
  sg4::Disk* disk = nullptr;           // its node's SSDs (prefix cache)
  // On SimGrid, another actor wakes a waiting replica by releasing this once (a semaphore rather than
  // a mutex and a condition variable: one simcall on each side instead of three).
  sg4::SemaphorePtr wake;
  int actor = 0;            // its index in the event queue
  bool sleeping = false;    // waiting for work or for KV to leave it
  bool coalescing = false;  // waiting out a stretch of steps that an arrival may cut short
  bool signalled = false;   // `wake` was released for the wait under way and not yet taken
  long long run_cap = 64;    // steps computed ahead of a stretch that arrivals may cut (grows, shrinks)
  std::vector<double> ends;  // the stretch's iteration end times
  std::vector<GpuPowerState::Snapshot> snaps;  // the power state after each of them
  std::vector<SeqState*> finished;
  std::vector<SeqState*> retiring;  // over, but perhaps still in its batch (a static batch's padding)
};

// The most iterations one stretch computes ahead: long enough that a stretch costs little beside its
// steps, short enough to bound the work thrown away when it is cut.
constexpr long long kLongestRun = 4096;

struct World {
  const ServingConfig* cfg;
  // The requests, read once in order as the generator needs them: a few ahead are held (the router
  // and the replicas look at the next arrivals), the rest are still in the source.
  long long total = 0;  // in the stream
  // (mutable: reading ahead changes what is held, not what the stream is)
  mutable std::unique_ptr<RequestCursor> cursor;
  mutable std::deque<Request> ahead;  // requests [ahead_from, ahead_from + ahead.size()) of the stream
  long long ahead_from = 0;
  // Request `i` of the stream (not yet taken by the generator); null past the end.
  const Request* peek(long long i) const {
    while (ahead_from + static_cast<long long>(ahead.size()) <= i) {
      if (!cursor->next(ahead.emplace_back())) {
        ahead.pop_back();
        return nullptr;
      }
    }
    return &ahead[static_cast<std::size_t>(i - ahead_from)];
  }
  const ServingOptions* opt;
  ActorFailure* failure = nullptr;
  int routed = 0;                  // replicas [0, routed) take arrivals (the unified or prefill pool)
  long long transfers_in_flight = 0;
  int prefill_active = 0;          // prefill replicas still running: more KV may leave them
  Platform platform;
  std::vector<Replica> replicas;
  ServingRun run;
  bool arrivals_done = false;
  EventQueue* queue = nullptr;  // the actors wait here; null: on SimGrid
  long long next_request = 0;  // the generator's next request (index)
  // Request states live from arrival until over and out of every batch, then serve a later arrival:
  // the run holds those in the system, not the whole stream.
  std::deque<SeqState> slots;
  std::vector<SeqState*> free_slots;
  std::unique_ptr<RequestCsv> csv;
  long long done = 0;
  long long in_system = 0;
  double last_change_s = 0;
  unsigned progress_calls = 0;
  std::chrono::steady_clock::time_point last_progress = std::chrono::steady_clock::now();

  // Little's law bookkeeping: integrate the number of requests in the system between changes.
  void change_in_system(double now, long long delta) {
    run.in_system_integral += static_cast<double>(in_system) * (now - last_change_s);
    last_change_s = now;
    in_system += delta;
  }
  double now() const { return queue ? queue->now() : sg4::Engine::get_clock(); }
  // Wakes replica `r`, which waits for a signal.
  void release(Replica& r) {
    if (queue) queue->signal(r.actor);
    else r.wake->release();
  }
  void progress(double now) {
    if (!opt->progress || (++progress_calls & 1023) != 0) return;  // the clock read costs more than an iteration's books
    auto wall = std::chrono::steady_clock::now();
    if (wall - last_progress < std::chrono::seconds(1)) return;
    last_progress = wall;
    std::fprintf(stderr, "dssim: simulated %.1f s, %lld of %lld requests done\n", now, done, total);
  }
};

// The state of request `i` of the stream (the next one), in a free slot; the request leaves `ahead`.
SeqState* arrive(World& w, long long i) {
  SeqState* s = nullptr;
  if (w.free_slots.empty()) {
    s = &w.slots.emplace_back();
  } else {
    s = w.free_slots.back();
    w.free_slots.pop_back();
    *s = SeqState{};
  }
  if (i != w.ahead_from || w.ahead.empty()) throw Error("internal: requests taken out of order", ExitCode::internal);
  Request& q = w.ahead.front();  // (peek()ed by the generator just before)
  s->id = q.id;
  s->index = i;
  s->arrival_s = q.arrival_s;
  s->prompt = q.prompt_tokens;
  s->output = q.output_tokens;
  if (!q.hash_ids.empty()) {
    s->hash_store = std::move(q.hash_ids);
    s->hashes = &s->hash_store;
  }
  w.ahead.pop_front();
  ++w.ahead_from;
  return s;
}

// A request is over (finished or rejected): into the books, the CSV and, when kept, the copies.
void over(World& w, const SeqState& s) {
  w.run.book.add(s);
  if (w.csv) w.csv->add(s);
  if (w.opt->keep_requests) {
    const auto i = static_cast<std::size_t>(s.index);
    if (i >= w.run.seqs.size()) w.run.seqs.resize(i + 1);
    SeqState& copy = w.run.seqs[i];
    copy = s;
    copy.hash_store.clear();  // the hashes stay with the live state
    copy.hash_store.shrink_to_fit();
    copy.hashes = nullptr;
  }
}

// A rejected request never entered a batch: its slot is free at once.
void rejected(World& w, SeqState* s) {
  over(w, *s);
  w.free_slots.push_back(s);
}

// Finished requests out of every batch (their blocks given back) free their slots. Called before a
// replica plans, when its last iteration's plan no longer points at them.
void free_retired(World& w, Replica& r) {
  std::erase_if(r.retiring, [&w](SeqState* s) {
    if (s->blocks > 0) return false;
    w.free_slots.push_back(s);
    return true;
  });
}

int route(World& w, long long n, const SeqState* s) {
  const int R = w.routed;
  if (w.cfg->router == Router::round_robin) return static_cast<int>(n % R);
  int least = 0;
  for (int r = 1; r < R; ++r)
    if (w.replicas[r].sched->outstanding() < w.replicas[least].sched->outstanding()) least = r;
  if (w.cfg->router != Router::prefix_aware) return least;
  // The longest cached prefix wins (the less loaded on a tie), unless that replica is far busier.
  int best = least;
  long long best_hit = w.replicas[least].sched->prefix_hit(s);
  for (int r = 0; r < R; ++r) {
    const long long hit = w.replicas[r].sched->prefix_hit(s);
    if (hit > best_hit || (hit == best_hit && w.replicas[r].sched->outstanding() < w.replicas[best].sched->outstanding())) {
      best = r;
      best_hit = hit;
    }
  }
  const int gap = w.replicas[best].sched->outstanding() - w.replicas[least].sched->outstanding();
  return gap > w.cfg->router_balance_slack ? least : best;
}

// When the next request that replica `index` will be offered arrives, if the router makes that
// known in advance (one replica, round robin); -1 when it is not, +inf when none is left.
double next_arrival_for(const World& w, int index) {
  if (w.replicas[static_cast<std::size_t>(index)].role == PoolRole::decode) return -1;  // transfers: unannounced
  const long long R = w.routed;
  const long long n = w.next_request;
  if (R > 1 && w.cfg->router != Router::round_robin) return -1;
  const long long i = R == 1 ? n : n + ((index - n % R) % R + R) % R;
  const Request* q = w.peek(i);
  return q ? q->arrival_s : std::numeric_limits<double>::infinity();
}

// Wakes replica `r` if it waits (a replica at work finds the news at its next plan).
void signal(World& w, Replica& r) {
  if (!(r.sleeping || r.coalescing) || r.signalled) return;
  r.signalled = true;
  w.release(r);
}

// Whether the wait for a signal just over was ended by one (else by its time limit). Actors are
// cooperative: between waits nothing else runs, so the flags need no lock.
bool took_signal(Replica& r) {
  const bool got = r.signalled;
  r.signalled = false;
  return got;
}

// SimGrid: a replica's wait for a signal until `until` (+inf: no limit), on its semaphore.
void simgrid_wait_signal(Replica& r, double until) {
  bool timed_out = false;
  if (until == std::numeric_limits<double>::infinity())
    r.wake->acquire();
  else
    timed_out = r.wake->acquire_timeout(until - sg4::Engine::get_clock());
  if (timed_out && r.signalled) r.wake->acquire();  // released as the wait timed out: take it, it is ours
}

// SimGrid: runs an actor's coroutine inside the SimGrid actor calling this, each of its waits an
// activity of the platform (`r`: the replica whose signals it waits for; null for the generator).
void drive_on_simgrid(ActorTask task, Replica* r) {
  task.resume();
  while (!task.done()) {
    const Wait w = task.wait();
    switch (w.kind) {
      case Wait::until: sg4::this_actor::sleep_until(w.t); break;
      case Wait::yield: sg4::this_actor::yield(); break;
      case Wait::signal:
        if (!r) throw Error("internal: the generator waits for a signal", ExitCode::internal);
        simgrid_wait_signal(*r, w.t);
        break;
      case Wait::none: throw Error("internal: an actor suspended without a wait", ExitCode::internal);
    }
    task.resume();
  }
}

ActorTask generator(World* w) {
  std::vector<Replica*> woken;
  for (long long i = 0; w->peek(i);) {
    const double at = w->peek(i)->arrival_s;
    if (at > w->now()) {
      co_await wake_at(at);
      ++w->run.activities;
    }
    // Requests arriving at the same instant are routed and queued together, before any replica plans
    // at that instant (a simcall in between would let one plan with half of them).
    woken.clear();
    for (const Request* q = w->peek(i); q && q->arrival_s <= at; q = w->peek(++i)) {
      w->next_request = i + 1;
      SeqState* s = arrive(*w, i);
      Replica& r = w->replicas[static_cast<std::size_t>(route(*w, i, s))];
      if (!r.sched->enqueue(s)) {
        rejected(*w, s);
        continue;
      }
      w->change_in_system(w->now(), +1);
      // A busy replica finds the request at its next plan; a sleeping one is woken, and so is one in a
      // stretch of steps the request may cut short.
      if ((r.sleeping || r.coalescing) && std::find(woken.begin(), woken.end(), &r) == woken.end()) woken.push_back(&r);
    }
    for (Replica* r : woken) signal(*w, *r);
  }
  w->arrivals_done = true;
  for (auto& r : w->replicas)
    if (r.sleeping) signal(*w, r);  // a stretch runs to its end; a sleeper learns that no more work comes
}

// A replica about to plan at time T first lets the generator queue the requests arriving at T: an
// arrival and an iteration ending at the same instant meet in that order, whichever actor wakes
// first. True while a request due by now is not queued yet (the replica then lets others run first;
// bounded: should the generator's wake-up land an ulp after T on SimGrid, it is not ready yet).
bool arrival_pending(const World* w) {
  const Request* q = w->peek(w->next_request);
  return q && q->arrival_s <= w->now();
}

// What every iteration [start, end) adds to the books, however it was run: its count, busy time and
// batch, and its record when asked.
void book_iteration(World* w, int index, const IterationPlan& plan, double start, double end) {
  ServingRun& run = w->run;
  ++run.iteration_count;
  run.busy_s += end - start;
  const Replica& r = w->replicas[static_cast<std::size_t>(index)];
  run.gpu_busy_s += (end - start) * r.pool->gpus_per_replica;
  run.pool_gpu_busy_s[static_cast<std::size_t>(r.pool_index)] += (end - start) * r.pool->gpus_per_replica;
  run.sequences_sum += plan.sequences();
  if (w->opt->record_iterations) {
    long long pt = 0;
    for (const auto& c : plan.shape.prefill) pt += c.tokens;
    run.iterations.push_back({index, start, end, plan.sequences(), pt, plan.shape.decode});
  }
}

// The books of one iteration that ran [start, end) and has been applied.
void account(World* w, int index, const IterationPlan& plan, double start, double end,
             const std::vector<SeqState*>& finished) {
  ServingRun& run = w->run;
  book_iteration(w, index, plan, start, end);
  // One gap per sequence that got a token at `end` after its first: every decoding one (static batches
  // step finished ones as padding) and a preempted one whose recomputed prompt ends here. A first token's
  // time is first_token_s (with disaggregation, when its KV reached the decode pool).
  // Most sequences of an iteration got their previous token at the same instant: equal gaps go into
  // the histogram together (a logarithm per run of them, not per sequence).
  double same = -1;
  std::uint64_t times = 0;
  auto gap = [&](SeqState* s) {
    const double prev = s->last_token_s >= 0 ? s->last_token_s : s->first_token_s;
    if (prev >= 0 && end > prev) {
      if (end - prev != same) {
        run.itl.add(same, times);
        same = end - prev;
        times = 0;
      }
      ++times;
    }
    s->last_token_s = end;
  };
  for (std::size_t i = 0; i < plan.prefill.size(); ++i)
    if (plan.shape.prefill[i].last && plan.prefill[i]->generated > 1) gap(plan.prefill[i]);
  for (SeqState* s : plan.decode)
    if (s->finish_s < 0 || s->finish_s >= end) gap(s);
  run.itl.add(same, times);
  if (!finished.empty()) {
    Replica& r = w->replicas[static_cast<std::size_t>(index)];
    for (SeqState* s : finished) {
      over(*w, *s);
      r.retiring.push_back(s);
    }
    w->change_in_system(end, -static_cast<long long>(finished.size()));
    w->done += static_cast<long long>(finished.size());
    run.end_s = std::max(run.end_s, end);
  }
  w->progress(end);
}

// The books of iterations 1 .. last-1 of a stretch, which repeat iteration 0 (whose books are kept):
// the same sequences each get one token per iteration, so every one of them sees the same gap, and
// nobody finishes. The same figures as account() per iteration, in one histogram entry per iteration.
void account_repeats(World* w, int index, const IterationPlan& plan, const std::vector<double>& ends, std::size_t last) {
  ServingRun& run = w->run;
  if (last < 2) return;
  std::uint64_t stepping = 0;  // sequences given a token by each iteration (static batches: not the padding)
  for (SeqState* s : plan.decode)
    if (s->finish_s < 0 || s->finish_s >= ends[0]) ++stepping;
  for (std::size_t j = 1; j < last; ++j) {
    book_iteration(w, index, plan, ends[j - 1], ends[j]);
    if (ends[j] > ends[j - 1]) run.itl.add(ends[j] - ends[j - 1], stepping);
  }
  for (SeqState* s : plan.decode)
    if (s->finish_s < 0 || s->finish_s >= ends[0]) s->last_token_s = ends[last - 1];
  w->progress(ends[last - 1]);
}

// A stretch of `steady.steps` iterations repeating the one planned at `start` (its cost `first`), each
// decoding every sequence one token further: their durations are summed ahead (clocks and power step
// by step) into r.ends, the replica waits once (replica_loop), and end_stretch() then applies them at
// their own end times. (Not re-planned: requests that came during the last one are in the queue by
// then.) An arrival the policy would admit ends the stretch at the iteration during which it came:
// known ahead when the router says where the next request goes, else by the generator waking the
// replica. Returns whether only the generator can tell (the replica then waits for its signal).
bool begin_stretch(World* w, int index, const IterationPlan& plan, double start, const IterationCostBreakdown& first,
                   const SteadyRun& steady) {
  Replica& r = w->replicas[static_cast<std::size_t>(index)];
  const double known = steady.arrivals_matter ? next_arrival_for(*w, index) : std::numeric_limits<double>::infinity();
  const bool watch = known < 0;  // only the generator can tell
  const double next = watch ? std::numeric_limits<double>::infinity() : known;
  const long long cap = std::min(steady.steps, watch ? r.run_cap : kLongestRun);
  std::vector<double>& ends = r.ends;
  std::vector<GpuPowerState::Snapshot>& snaps = r.snaps;
  ends.clear();
  snaps.clear();

  IterationShape shape = plan.shape;
  double t = start;
  IterationCostBreakdown later;
  for (long long j = 0; j < cap; ++j) {
    const IterationCostBreakdown* cost = &first;
    if (j > 0) {
      shape.decode_context_sum += shape.decode;
      shape.decode_context_max += 1;
      later = r.pool->cost(shape);
      cost = &later;
    }
    t += r.power ? r.power->run(*cost, t) : cost->total_s;
    ends.push_back(t);

    if (r.power && watch) snaps.push_back(r.power->snapshot());
    if (t >= next) break;  // the next plan sees that arrival
  }
  return watch;
}

// A watched stretch's wait ended at `now`: when cut short, the iteration under way when the request
// came is the last (its end returned; the ones after it never ran), and the steps computed ahead
// adapt. Returns the index of the stretch's last iteration.
std::size_t cut_stretch(Replica& r, double now) {
  const std::vector<double>& ends = r.ends;
  if (now < ends.back()) {
    const auto last = static_cast<std::size_t>(std::lower_bound(ends.begin(), ends.end(), now) - ends.begin());
    if (r.power) r.power->restore(r.snaps[last]);
    r.run_cap = std::max<long long>(8, 2 * static_cast<long long>(last + 1));
    return last;
  }
  if (static_cast<long long>(ends.size()) == r.run_cap) r.run_cap = std::min(kLongestRun, 2 * r.run_cap);
  return ends.size() - 1;
}

// Applies iterations 0..last of the stretch that began at `start` with `plan` (made the plan of its
// last iteration) and keeps their books.
void end_stretch(World* w, int index, IterationPlan& plan, double start, std::size_t last) {
  Replica& r = w->replicas[static_cast<std::size_t>(index)];
  const std::vector<double>& ends = r.ends;
  const IterationShape base = plan.shape;
  // The iterations before the last finish nobody: their books at once, the sequences moved on at once.
  std::vector<SeqState*>& finished = r.finished;
  finished.clear();
  double begin = start;
  if (last > 0) {
    account(w, index, plan, begin, ends[0], finished);
    account_repeats(w, index, plan, ends, last);
    begin = ends[last - 1];
  }
  if (last > 0 && !r.sched->advance(plan, static_cast<long long>(last)))
    throw Error("internal: a coalesced stretch found no free KV block", ExitCode::internal);
  r.sched->complete(plan, ends[last], finished);
  account(w, index, plan, begin, ends[last], finished);
  if (r.pool->work) {
    // Steps 0..last: each attends one token further than the one before, and the model's work is
    // affine in the context: (last + 1) W0 + (W1 - W0) last (last + 1) / 2.
    const ModelWork w0 = r.pool->work(base);
    ModelWork step = {0, 0};
    if (last > 0) {
      IterationShape second = base;
      second.decode_context_sum += second.decode;
      second.decode_context_max += 1;
      const ModelWork w1 = r.pool->work(second);
      step = {w1.flops - w0.flops, w1.bytes - w0.bytes};
    }
    const double n = static_cast<double>(last + 1), pairs = static_cast<double>(last) * n / 2;
    w->run.model_flops += n * w0.flops + pairs * step.flops;
    w->run.model_bytes += n * w0.bytes + pairs * step.bytes;
  }
}

// No arrival can come any more: the generator is done and, for a decode replica, no KV is in flight.
bool no_more_work(const World& w, const Replica& r) {
  return w.arrivals_done && (r.role != PoolRole::decode || (w.prefill_active == 0 && w.transfers_in_flight == 0));
}

void wake_decoders(World& w);

// The decode replica with the fewest sequences, counting those on their way to it.
int pick_decode(const World& w) {
  int best = -1;
  for (int i = w.routed; i < static_cast<int>(w.replicas.size()); ++i) {
    const Replica& r = w.replicas[static_cast<std::size_t>(i)];
    const int load = r.sched->outstanding() + r.incoming;
    if (best < 0 || load < w.replicas[static_cast<std::size_t>(best)].sched->outstanding() +
                               w.replicas[static_cast<std::size_t>(best)].incoming)
      best = i;
  }
  return best;
}

// Moves one sequence's KV from prefill replica `from` to a decode replica as real transfers: each
// GPU of the decode replica receives its share from a GPU of the prefill replica, over the platform's
// links (NVLink or PCIe in a node, the NICs between nodes), sharing them with every other transfer.
// The first token reaches the user once the decode side has the cache.
void transfer(World* w, int from, SeqState* s) {
  Replica& src = w->replicas[static_cast<std::size_t>(from)];
  const int to = pick_decode(*w);
  Replica& dst = w->replicas[static_cast<std::size_t>(to)];
  ++dst.incoming;
  s->transfer_start_s = sg4::Engine::get_clock();
  const double bytes = static_cast<double>(s->cached) * dst.pool->kv_bytes_per_token_per_gpu;
  std::vector<sg4::CommPtr> comms;
  for (std::size_t j = 0; j < dst.gpus.size(); ++j)
    comms.push_back(sg4::Comm::sendto_async(src.gpus[j % src.gpus.size()], dst.gpus[j], static_cast<uint64_t>(bytes)));
  for (auto& c : comms) c->wait();
  w->run.activities += static_cast<long long>(comms.size());
  const double now = sg4::Engine::get_clock();
  s->transfer_end_s = now;
  s->first_token_s = now;
  src.sched->release(s);
  --src.transfers_out;
  signal(*w, src);
  --dst.incoming;
  --w->transfers_in_flight;
  if (!dst.sched->enqueue_prefilled(s)) {
    rejected(*w, s);
    w->change_in_system(now, -1);
  } else {
    signal(*w, dst);
  }
  if (w->transfers_in_flight == 0 && w->arrivals_done && w->prefill_active == 0) wake_decoders(*w);
}

void wake_decoders(World& w) {
  for (auto& r : w.replicas)
    if (r.role == PoolRole::decode) signal(w, r);
}

// After a prefill replica's iteration: the sequences whose prompt is done leave for the decode pool.
void hand_off(World* w, int index) {
  Replica& r = w->replicas[static_cast<std::size_t>(index)];
  // Local: creating an actor is a simcall, during which another prefill replica may hand off its own.
  std::vector<SeqState*> out;
  r.sched->detach_prefilled(out);
  for (SeqState* s : out) {
    ++r.transfers_out;
    ++w->transfers_in_flight;
    sg4::Actor::create("kv" + std::to_string(s->id), w->platform.cpu,
                       w->failure->guarded([w, index, s] { transfer(w, index, s); }));
  }
}

ActorTask replica_loop(World* w, int index) {
  Replica& r = w->replicas[static_cast<std::size_t>(index)];
  std::vector<SeqState*> finished;
  IterationPlan plan;
  while (true) {
    free_retired(*w, r);
    if (!r.sched->has_work()) {
      r.sleeping = true;
      while (!r.sched->has_work() && !no_more_work(*w, r)) {
        co_await signal_or(std::numeric_limits<double>::infinity());
        took_signal(r);
        ++w->run.activities;
      }
      r.sleeping = false;
      if (!r.sched->has_work()) {
        // The last prefill replica to stop tells the decode pool no more KV will come from it.
        if (r.role == PoolRole::prefill && --w->prefill_active == 0 && w->transfers_in_flight == 0) wake_decoders(*w);
        co_return;
      }
    }
    for (int k = 0; k < 8 && arrival_pending(w); ++k) co_await others_first();
    // KV transfers that land at this instant are queued before the plan, as arrivals are.
    if (r.role == PoolRole::decode && w->transfers_in_flight > 0) co_await others_first();
    const double start = w->now();
    r.sched->plan(start, plan);
    if (plan.empty() && r.transfers_out > 0) {
      // A prefill replica whose free blocks are held by sequences on their way out: wait for one to leave.
      r.sleeping = true;
      const int out = r.transfers_out;
      while (r.transfers_out == out) {
        co_await signal_or(std::numeric_limits<double>::infinity());
        took_signal(r);
      }
      r.sleeping = false;
      ++w->run.activities;
      continue;
    }
    if (plan.empty()) throw Error("internal: a replica with work planned an empty iteration", ExitCode::internal);
    const IterationCostBreakdown cost = r.pool->cost(plan.shape);
    const bool shared = cost.stream_bytes > 0 || cost.disk_bytes > 0;
    if (shared && w->queue)
      throw Error("internal: an iteration moves bytes over shared links in a replay without the platform", ExitCode::internal);
    // Offloaded weights and KV, and prefix-cache loads, are real transfers that replicas share: those
    // iterations run one by one.
    if (w->opt->coalesce && !shared) {
      const SteadyRun steady = r.sched->steady(plan);
      if (steady.steps > 1) {
        std::size_t last = 0;
        if (begin_stretch(w, index, plan, start, cost, steady)) {
          r.coalescing = true;
          if (w->now() < r.ends.back()) {
            co_await signal_or(r.ends.back());
            took_signal(r);
          }
          r.coalescing = false;
          ++w->run.activities;
          last = cut_stretch(r, w->now());
          if (r.ends[last] > w->now()) {  // cut short: the iteration under way runs to its end
            co_await wake_at(r.ends[last]);
            ++w->run.activities;
          }
        } else {
          co_await wake_at(r.ends.back());
          ++w->run.activities;
          last = r.ends.size() - 1;
        }
        end_stretch(w, index, plan, start, last);
        continue;
      }
    }
    const double dur = r.power ? r.power->run(cost, start) : cost.total_s;
    if (!shared) {
      co_await wake_at(start + dur);
      ++w->run.activities;
    } else {
      // Offloaded weights stream from host memory to every GPU of the replica while it computes.
      std::vector<sg4::CommPtr> streams;
      if (cost.stream_bytes > 0)
        for (std::size_t g = 0; g < r.gpus.size(); ++g)
          streams.push_back(sg4::Comm::sendto_async(r.cpus[g], r.gpus[g], static_cast<uint64_t>(cost.stream_bytes)));
      // Cached prefix blocks come off the node's SSDs while the GPU works (layer by layer, as LMCache).
      sg4::IoPtr io;
      if (cost.disk_bytes > 0 && r.disk) io = r.disk->read_async(static_cast<sg_size_t>(cost.disk_bytes));
      sg4::ExecPtr exec = sg4::Exec::init()->set_flops_amount(dur * kGpuSpeed)->set_host(r.gpu);
      exec->start();
      exec->wait();
      for (auto& c : streams) c->wait();
      if (io) io->wait();
      w->run.activities += 1 + static_cast<long long>(streams.size()) + (io ? 1 : 0);
    }
    const double end = w->now();
    finished.clear();
    r.sched->complete(plan, end, finished);
    account(w, index, plan, start, end, finished);
    if (r.pool->work) {
      const ModelWork work = r.pool->work(plan.shape);
      w->run.model_flops += work.flops;
      w->run.model_bytes += work.bytes;
    }
    if (r.role == PoolRole::prefill) hand_off(w, index);
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
  return run_serving(node, gpu, gpus_per_replica, cfg, *view_source(requests), cost, kv_blocks_per_replica, opt);
}

ServingRun run_serving(const NodeSpec& node, const GpuCard& gpu, int gpus_per_replica, const ServingConfig& cfg,
                       const RequestSource& requests, const IterationCostFn& cost, long long kv_blocks_per_replica,
                       const ServingOptions& opt) {
  ReplicaPool pool;
  pool.replicas = cfg.replicas;
  pool.gpus_per_replica = gpus_per_replica;
  pool.kv_blocks = kv_blocks_per_replica;
  pool.cost = cost;
  return run_serving_pools(node, gpu, cfg, requests, {pool}, opt);
}

ServingRun run_serving_pools(const NodeSpec& node, const GpuCard& gpu, const ServingConfig& cfg,
                             const std::vector<Request>& requests, const std::vector<ReplicaPool>& pools,
                             const ServingOptions& opt) {
  return run_serving_pools(node, gpu, cfg, *view_source(requests), pools, opt);
}

ServingRun run_serving_pools(const NodeSpec& node, const GpuCard& gpu, const ServingConfig& cfg,
                             const RequestSource& requests, const std::vector<ReplicaPool>& pools,
                             const ServingOptions& opt) {
  int need = 0, replicas = 0;
  // A pool on its own hardware is a group of the platform after the run's nodes, its GPUs its own.
  std::vector<PlatformGroup> groups{{&node, &gpu}};
  for (const ReplicaPool& p : pools) {
    replicas += p.replicas;
    if (!p.node) {
      need += p.replicas * p.gpus_per_replica;
      continue;
    }
    if (!p.gpu) throw Error("internal: a pool on its own node without its GPU card", ExitCode::internal);
    groups.push_back({p.node, p.gpu, p.link_Bps, p.link_latency_s});
    if (p.replicas * p.gpus_per_replica > p.node->total_gpus())
      throw Error(fmt("%d replicas x %d GPUs need %d GPUs; the %s platform has %d", p.replicas, p.gpus_per_replica,
                      p.replicas * p.gpus_per_replica, p.node->id.c_str(), p.node->total_gpus()));
  }
  if (need > node.total_gpus()) {
    std::vector<std::string> parts;
    for (const ReplicaPool& p : pools)
      if (!p.node) parts.push_back(fmt("%d x %d", p.replicas, p.gpus_per_replica));
    throw Error(fmt("%s replicas x GPUs need %d GPUs; the platform has %d", join(parts, " + ").c_str(), need,
                    node.total_gpus()));
  }
  const bool disaggregated = pools.size() > 1;
  if (disaggregated && (pools[0].role != PoolRole::prefill || pools[1].role != PoolRole::decode))
    throw Error("internal: disaggregated pools must be prefill then decode", ExitCode::internal);

  // Replicas that share nothing SimGrid models (no offload streams, no prefix-cache loads from host
  // or SSD, no KV transfers between pools) wait on the event queue; the per-iteration reference
  // always runs on SimGrid.
  bool streams = false;
  for (const ReplicaPool& p : pools) streams = streams || p.streams;
  const bool on_queue = opt.event_queue && opt.coalesce && !disaggregated && !streams && opt.ssd_read_Bps <= 0 &&
                        opt.prefix_host_blocks == 0 && opt.prefix_ssd_blocks == 0;
  std::unique_ptr<sg4::Engine> engine_ptr;
  if (!on_queue) engine_ptr = create_engine();

  World w;
  w.cfg = &cfg;
  w.total = requests.stats().count;
  w.cursor = requests.open();
  w.opt = &opt;
  w.routed = pools[0].replicas;
  w.prefill_active = pools[0].role == PoolRole::prefill ? pools[0].replicas : 0;
  w.run.disaggregated = disaggregated;
  w.run.pool_gpu_busy_s.assign(pools.size(), 0.0);
  if (engine_ptr) w.platform = build_platform(*engine_ptr, groups);
  w.run.book = RequestBook(opt.percentiles, cfg.slo_ttft_s, cfg.slo_tpot_s);
  w.run.book.expect(w.total);
  if (opt.keep_requests) w.run.seqs.reserve(static_cast<std::size_t>(w.total));
  if (!opt.requests_csv.empty()) w.csv = std::make_unique<RequestCsv>(opt.requests_csv, cfg.prefix_cache, disaggregated);
  std::vector<sg4::Disk*> disks;
  if (opt.ssd_read_Bps > 0)
    for (sg4::Host* cpu : w.platform.cpus) disks.push_back(cpu->create_disk("ssd", opt.ssd_read_Bps, opt.ssd_read_Bps)->seal());
  w.replicas.resize(static_cast<std::size_t>(replicas));
  // Pools on the run's nodes take its GPUs one after another; a pool on its own hardware starts at its
  // group's first GPU (the groups follow the run's nodes, in the pools' order).
  int shared_next = 0, own_first = node.total_gpus();
  std::size_t next_replica = 0;
  for (const ReplicaPool& pool : pools) {
    int gpu_next = pool.node ? own_first : shared_next;
    for (int k = 0; k < pool.replicas; ++k) {
      Replica& rep = w.replicas[next_replica++];
      rep.sched = std::make_unique<ReplicaScheduler>(cfg, pool.kv_blocks, opt.prefix_host_blocks, opt.prefix_ssd_blocks);
      rep.role = pool.role;
      rep.pool = &pool;
      rep.pool_index = static_cast<int>(&pool - pools.data());
      rep.first_gpu = gpu_next;
      rep.actor = static_cast<int>(next_replica);  // the generator is actor 0
      if (engine_ptr) {
        rep.wake = sg4::Semaphore::create(0);
        rep.gpu = w.platform.gpus[static_cast<std::size_t>(gpu_next)];
        for (int g = gpu_next; g < gpu_next + pool.gpus_per_replica; ++g) {
          rep.gpus.push_back(w.platform.gpus[static_cast<std::size_t>(g)]);
          const auto n = static_cast<std::size_t>(w.platform.node_of_gpu[static_cast<std::size_t>(g)]);
          rep.cpus.push_back(opt.cxl_host ? w.platform.cxls[n] : w.platform.cpus[n]);
          if (!rep.cpus.back()) throw Error("internal: CXL-resident bytes on a node without expanders", ExitCode::internal);
        }
        if (!disks.empty()) rep.disk = disks[static_cast<std::size_t>(w.platform.node_of_gpu[static_cast<std::size_t>(gpu_next)])];
      }
      gpu_next += pool.gpus_per_replica;
      if (const PowerSetup* power = pool.power ? pool.power : opt.power) rep.power = std::make_unique<GpuPowerState>(*power);
    }
    if (pool.node) own_first += pool.node->total_gpus();
    else shared_next = gpu_next;
  }
  if (on_queue) {
    std::vector<ActorTask> tasks;
    tasks.push_back(generator(&w));
    for (int i = 0; i < replicas; ++i) tasks.push_back(replica_loop(&w, i));
    std::vector<ActorTask*> actors;
    for (ActorTask& t : tasks) actors.push_back(&t);
    EventQueue queue(actors);
    w.queue = &queue;
    w.run.event_queue = true;
    queue.run();
    w.queue = nullptr;
  } else {
    ActorFailure failure;
    w.failure = &failure;
    sg4::Actor::create("generator", w.platform.cpu, failure.guarded([&w] { drive_on_simgrid(generator(&w), nullptr); }));
    for (int i = 0; i < replicas; ++i)
      sg4::Actor::create("replica" + std::to_string(i), w.platform.cpu, failure.guarded([&w, i] {
                           drive_on_simgrid(replica_loop(&w, i), &w.replicas[static_cast<std::size_t>(i)]);
                         }));
    failure.run_guarded(*engine_ptr);
  }
  for (auto& r : w.replicas) w.run.preemptions += r.sched->preemptions();
  w.run.prefix_cache = cfg.prefix_cache;
  for (auto& r : w.replicas) {
    w.run.spec_steps += r.sched->decode_steps();
    w.run.spec_tokens += r.sched->decode_tokens();
  }
  for (auto& r : w.replicas)
    if (const PrefixCache* pc = r.sched->prefix_cache()) {
      const PrefixCacheStats& st = pc->stats();
      w.run.prefix.lookups += st.lookups;
      w.run.prefix.looked_tokens += st.looked_tokens;
      w.run.prefix.inserted_blocks += st.inserted_blocks;
      for (int t = 0; t < kCacheTiers; ++t) w.run.prefix.hit_tokens[t] += st.hit_tokens[t];
    }
  for (std::size_t i = 0; i < w.replicas.size(); ++i) {
    GpuPowerState* p = w.replicas[i].power.get();
    if (!p) continue;
    p->idle_until(w.run.end_s);  // every GPU is accounted until the last request finishes
    const Replica& rep = w.replicas[i];
    w.run.energy.push_back({static_cast<int>(i), rep.pool->gpus_per_replica, rep.first_gpu, p->energy_j(), p->busy_energy_j(),
                            p->busy_s(), p->throttled_s(), p->max_temp_c(), p->shutdown_reached(), p->samples(),
                            rep.pool_index});
  }
  w.change_in_system(w.run.end_s > w.last_change_s ? w.run.end_s : w.last_change_s, 0);
  // Every request ends finished or rejected; one left half-way is an engine bug, never a result.
  const long long lost = w.total - w.run.book.requests();
  if (lost != 0)
    throw Error(fmt("internal: %lld of %lld requests never finished (the serving engine lost them)", lost, w.total),
                ExitCode::internal);
  w.run.seq_slots = static_cast<long long>(w.slots.size());
  if (w.csv) w.csv->commit();
  return std::move(w.run);
}

}  // namespace dssim
