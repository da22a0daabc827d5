#include "kernel_sim/iteration_sim.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>
#include <deque>
#include <memory>
#include <mutex>

#include "comm/collectives.hpp"
#include "hw/engine.hpp"
#include "hw/platform.hpp"
#include "util/error.hpp"

namespace sg4 = simgrid::s4u;

namespace dssim {

namespace {

constexpr int kEndOfIteration = -1;
constexpr int kMicroStart = -2;

struct Stream {
  sg4::MutexPtr mu = sg4::Mutex::create();
  sg4::ConditionVariablePtr has_work = sg4::ConditionVariable::create();
  sg4::ConditionVariablePtr progressed = sg4::ConditionVariable::create();
  std::deque<int> queue;
  std::size_t finished_iterations = 0;

  void push(int k) {
    std::unique_lock<sg4::Mutex> lock(*mu);
    queue.push_back(k);
    has_work->notify_all();
  }
  int pop() {
    std::unique_lock<sg4::Mutex> lock(*mu);
    while (queue.empty()) has_work->wait(lock);
    int k = queue.front();
    queue.pop_front();
    return k;
  }
  void wait_finished(std::size_t count) {
    std::unique_lock<sg4::Mutex> lock(*mu);
    while (finished_iterations < count) progressed->wait(lock);
  }
  void finish_one() {
    std::unique_lock<sg4::Mutex> lock(*mu);
    ++finished_iterations;
    progressed->notify_all();
  }
};

// A group of ranks that meets for a collective: a barrier, its GPUs, and the closed form's link hint.
struct Group {
  sg4::BarrierPtr barrier;
  std::vector<sg4::Host*> gpus;
  std::vector<int> flat;  // their platform indices
  GroupLink link;
};

struct Slot {  // one GPU of the replica: stage s, rank r
  int stage = 0, rank = 0;
  sg4::Host* gpu = nullptr;
  sg4::Host* cpu = nullptr;  // its node's host CPU
  sg4::Host* offload = nullptr;  // where its offloaded layers come from: the CPU's memory, or the node's CXL expanders
  std::vector<std::unique_ptr<Stream>> streams;  // one per lane
  sg4::SemaphorePtr received = sg4::Semaphore::create(0);     // micro-batches handed over by the previous stage
  sg4::SemaphorePtr weights_in = sg4::Semaphore::create(0);   // offloaded layers that have arrived
  sg4::SemaphorePtr buffers_free = sg4::Semaphore::create(2); // double buffering of offloaded layers
  std::vector<Group*> tp_group, stage_group;  // per lane: a lane's collectives meet only its own lane
  // Two-batch overlap: the lanes take turns on the GPU (one compute stream); a lane gives it up when it
  // starts communicating, so the other's kernels run under that communication.
  sg4::MutexPtr gpu_turn = sg4::Mutex::create();
};

struct Shared {
  const SimSetup* setup;
  const std::vector<SimStep>* steps;
  Platform platform;
  int width = 1, pp = 1;
  std::vector<Slot> slots;  // stage-major
  std::vector<std::unique_ptr<Group>> groups;
  std::vector<IterationResult> results;
  std::size_t done = 0;  // iterations whose result reached the host
  sg4::MutexPtr done_mu = sg4::Mutex::create();
  sg4::ConditionVariablePtr done_cv = sg4::ConditionVariable::create();

  Slot& slot(int s, int r) { return slots[static_cast<std::size_t>(s * width + r)]; }
  const SimIteration& work(std::size_t i, int s) const { return (*steps)[i].stages[static_cast<std::size_t>(s)]; }
};

void host_actor(Shared* sh, int s, int r) {
  Slot& me = sh->slot(s, r);
  const bool recorder = s == 0 && r == 0;
  for (std::size_t i = 0; i < sh->steps->size(); ++i) {
    {  // the next iteration needs the tokens the last one sampled
      std::unique_lock<sg4::Mutex> lock(*sh->done_mu);
      while (sh->done < i) sh->done_cv->wait(lock);
    }
    const SimIteration& it = sh->work(i, s);
    const double start = sg4::Engine::get_clock();
    double host_busy = 0;
    if (s == 0 && it.h2d_bytes > 0) sg4::Comm::sendto(me.cpu, me.gpu, static_cast<uint64_t>(it.h2d_bytes));
    const int lanes = static_cast<int>(me.streams.size());
    const int micro = (*sh->steps)[i].microbatches;
    // Micro-batches go to the lanes in turn; with several lanes the host interleaves their kernels.
    for (int first = 0; first < micro; first += lanes) {
      const int batch_lanes = std::min(lanes, micro - first);
      for (int l = 0; l < batch_lanes; ++l) me.streams[static_cast<std::size_t>(l)]->push(kMicroStart);
      if (it.graph_launch_s > 0) {
        for (int l = 0; l < batch_lanes; ++l) {
          sg4::this_actor::execute(it.graph_launch_s * kCpuSpeed);
          host_busy += it.graph_launch_s;
          for (std::size_t k = 0; k < it.kernels.size(); ++k)
            if (it.kernels[k].kind != OpKind::host_only) me.streams[static_cast<std::size_t>(l)]->push(static_cast<int>(k));
        }
      } else {
        for (std::size_t k = 0; k < it.kernels.size(); ++k)
          for (int l = 0; l < batch_lanes; ++l) {
            const SimKernel& kern = it.kernels[k];
            if (kern.host_s > 0) {
              sg4::this_actor::execute(kern.host_s * kCpuSpeed);
              host_busy += kern.host_s;
            }
            if (kern.kind != OpKind::host_only) me.streams[static_cast<std::size_t>(l)]->push(static_cast<int>(k));
          }
      }
    }
    for (auto& st : me.streams) st->push(kEndOfIteration);
    for (auto& st : me.streams) st->wait_finished(i + 1);
    if (recorder) {
      sh->results[i].start_s = start;
      sh->results[i].host_busy_s = host_busy;
    }
    if (s == sh->pp - 1) {
      if (it.d2h_bytes > 0) sg4::Comm::sendto(me.gpu, me.cpu, static_cast<uint64_t>(it.d2h_bytes));
      if (r == 0) {
        sh->results[i].end_s = sg4::Engine::get_clock();
        std::unique_lock<sg4::Mutex> lock(*sh->done_mu);
        sh->done = i + 1;
        sh->done_cv->notify_all();
      }
    }
  }
}

// Layers held in host memory come over PCIe in kernel order, at most two ahead of the one computing.
void weight_stream_actor(Shared* sh, int s, int r) {
  Slot& me = sh->slot(s, r);
  for (std::size_t i = 0; i < sh->steps->size(); ++i) {
    {  // no prefetch into the next iteration: its start is when the link's work for it may begin, so
       // one iteration's window holds all of its streaming (the steady state of back-to-back steps)
      std::unique_lock<sg4::Mutex> lock(*sh->done_mu);
      while (sh->done < i) sh->done_cv->wait(lock);
    }
    for (int mb = 0; mb < (*sh->steps)[i].microbatches; ++mb)
      for (const SimKernel& k : sh->work(i, s).kernels)
        if (k.stream_bytes > 0) {
          me.buffers_free->acquire();
          sg4::Comm::sendto(me.offload, me.gpu, static_cast<uint64_t>(k.stream_bytes));
          me.weights_in->release();
        }
  }
}

// DeepEP's normal dispatch as flows: a token goes once to each rank of its own node that holds one of
// its experts (NVLink), and once to each other node holding one (to the rank with the sender's local
// index, over the network), which forwards it once to each rank of that node holding one (NVLink).
// All flows run at once, as DeepEP pipelines its chunks. `t`: bytes of one token copy.
std::vector<std::vector<double>> forward_matrix(const SimSetup& setup, const Group& g, double t) {
  const std::size_t p = g.gpus.size();
  const EpTouch& touch = setup.ep_touch;
  if (touch.rank.size() != p) throw Error("internal: DeepEP routing for another EP group", ExitCode::internal);
  const int G = setup.node.gpu_count;
  auto node = [&](std::size_t b) { return g.flat[b] / G; };
  auto local = [&](std::size_t b) { return g.flat[b] % G; };
  // The rank's relative load (a skewed router sends a hot rank more tokens).
  auto q = [&](std::size_t b) {
    const double skew = setup.ep_fractions.size() == p ? setup.ep_fractions[b] * static_cast<double>(p) : 1.0;
    return touch.rank[b] * skew;
  };
  std::vector<std::vector<double>> m(p, std::vector<double>(p, 0.0));
  for (std::size_t a = 0; a < p; ++a) {
    std::vector<int> seen;  // nodes reached from a
    for (std::size_t b = 0; b < p; ++b) {
      if (b == a) continue;
      if (node(b) == node(a)) {
        m[a][b] += t * q(b);
        continue;
      }
      if (std::find(seen.begin(), seen.end(), node(b)) != seen.end()) continue;
      seen.push_back(node(b));
      // the relay: the rank of that node with a's local index, else its first
      std::size_t r = b;
      for (std::size_t c = 0; c < p; ++c)
        if (node(c) == node(b) && local(c) == local(a)) r = c;
      const std::size_t rel = b / static_cast<std::size_t>(touch.ranks_per_node);
      m[a][r] += t * touch.node[std::min(rel, touch.node.size() - 1)];
      for (std::size_t c = 0; c < p; ++c)
        if (c != r && node(c) == node(b)) m[r][c] += t * q(c);
    }
  }
  return m;
}

void collective(Shared* sh, Slot& me, int lane, const SimKernel& kern) {
  const double step = sh->setup->collective_step_s;
  Group& g = kern.kind == OpKind::alltoall ? *me.stage_group[static_cast<std::size_t>(lane)]
                                           : *me.tp_group[static_cast<std::size_t>(lane)];
  g.barrier->wait();
  // DeepEP's normal kernels hold SMs while they run: kernels beside them (the other lane's) get the rest.
  sg4::ExecPtr hold;
  const SimSetup& st = *sh->setup;
  if (kern.node_forward && st.deepep_sms > 0 && st.sm_count > st.deepep_sms) {
    hold = sg4::Exec::init()->set_flops_amount(1e30)->set_host(me.gpu)->set_bound(kGpuSpeed * st.deepep_sms / st.sm_count);
    hold->start();
  }
  const bool leader = g.gpus.front() == me.gpu;
  if (leader && kern.node_forward) {
    std::vector<std::vector<double>> m = forward_matrix(st, g, kern.bytes / std::max(1, st.moe_topk));
    if (kern.combine)
      for (std::size_t a = 0; a < m.size(); ++a)
        for (std::size_t b = a + 1; b < m.size(); ++b) std::swap(m[a][b], m[b][a]);
    comm::all_to_all(g.gpus, m, step);
  } else if (leader) {
    if (kern.kind == OpKind::allreduce) {
      comm::allreduce(sh->setup->allreduce, g.gpus, kern.bytes, step, g.link.Bps, g.link.latency_s);
    } else if (kern.kind == OpKind::allgather) {
      comm::all_gather(g.gpus, kern.bytes, step);
    } else {
      // Each rank sends its tokens' copies to the ranks holding their experts, in proportion to the
      // experts' load (a skewed router makes the hot ranks' ports the bottleneck); combine is the reverse.
      const std::size_t p = g.gpus.size();
      const auto& f = sh->setup->ep_fractions;
      std::vector<std::vector<double>> m(p, std::vector<double>(p, 0.0));
      for (std::size_t a = 0; a < p; ++a)
        for (std::size_t b = 0; b < p; ++b) {
          const double share = f.size() == p ? f[b] : 1.0 / static_cast<double>(p);
          if (kern.combine) m[b][a] = kern.bytes * share;  // combine: expert ranks send back
          else m[a][b] = kern.bytes * share;
        }
      comm::all_to_all(g.gpus, m, step);
    }
  }
  g.barrier->wait();
  if (hold) hold->cancel();
}

void stream_actor(Shared* sh, int s, int r, int lane) {
  Slot& me = sh->slot(s, r);
  Stream& stream = *me.streams[static_cast<std::size_t>(lane)];
  const bool recorder = s == 0 && r == 0;  // GPU busy: every lane's kernels; communication: lane 0's
  const bool turns = me.streams.size() > 1;
  bool holding = false;
  auto take_gpu = [&] {
    if (turns && !holding) me.gpu_turn->lock();
    holding = true;
  };
  auto give_gpu = [&] {
    if (turns && holding) me.gpu_turn->unlock();
    holding = false;
  };
  std::size_t iteration = 0;
  while (iteration < sh->steps->size()) {
    const int k = stream.pop();
    if (k == kEndOfIteration) {
      give_gpu();
      ++iteration;
      stream.finish_one();
      continue;
    }
    if (k == kMicroStart) {
      if (s > 0) me.received->acquire();
      continue;
    }
    const SimKernel& kern = sh->work(iteration, s).kernels[static_cast<std::size_t>(k)];
    const double t0 = sg4::Engine::get_clock();
    switch (kern.kind) {
      case OpKind::allreduce:
      case OpKind::allgather:
      case OpKind::alltoall:
        give_gpu();
        collective(sh, me, lane, kern);
        break;
      case OpKind::p2p:
        if (s + 1 < sh->pp) {
          Slot& next = sh->slot(s + 1, r);
          comm::p2p(me.gpu, next.gpu, kern.bytes, sh->setup->collective_step_s);
          next.received->release();
        }
        break;
      default: {
        if (kern.stream_bytes > 0) me.weights_in->acquire();
        if (kern.gpu_s > 0) {
          take_gpu();
          sg4::ExecPtr exec = sg4::Exec::init()->set_flops_amount(kern.gpu_s * kGpuSpeed)->set_host(me.gpu);
          exec->start();
          exec->wait();
          if (recorder) sh->results[iteration].gpu_busy_s += kern.gpu_s;
        }
        if (kern.stream_bytes > 0) me.buffers_free->release();
        continue;
      }
    }
    if (recorder && lane == 0) sh->results[iteration].comm_s += sg4::Engine::get_clock() - t0;
  }
}

}  // namespace

std::vector<IterationResult> simulate_steps(const SimSetup& setup, const std::vector<SimStep>& steps) {
  const int width = setup.ranks, pp = setup.pp, tp = setup.tp > 0 ? setup.tp : setup.ranks;
  const int platform_gpus = setup.node.gpu_count * setup.node.node_count;
  if (width < 1 || pp < 1 || width * pp > platform_gpus || width % tp != 0)
    throw Error("internal: the replica's stages do not fit the platform's GPUs", ExitCode::internal);
  for (const SimStep& st : steps)
    if (static_cast<int>(st.stages.size()) != pp || st.microbatches < 1)
      throw Error("internal: a step without work for every pipeline stage", ExitCode::internal);
  auto engine_ptr = create_engine();
  ActorFailure failure;
  sg4::Engine& engine = *engine_ptr;

  Shared sh;
  sh.setup = &setup;
  sh.steps = &steps;
  sh.width = width;
  sh.pp = pp;
  sh.platform = build_platform(engine, setup.node, setup.gpu);
  sh.results.resize(steps.size());
  sh.slots.resize(static_cast<std::size_t>(width * pp));
  const int lanes = std::max(1, setup.lanes);
  if (lanes > 1 && pp > 1)
    throw Error("internal: two-batch overlap runs single-stage replicas only", ExitCode::internal);
  for (int s = 0; s < pp; ++s) {
    auto make_group = [&](int first, int size) {
      auto g = std::make_unique<Group>();
      g->barrier = sg4::Barrier::create(static_cast<unsigned>(size));
      std::vector<int> idx;
      for (int q = first; q < first + size; ++q) {
        g->gpus.push_back(sh.platform.gpus[static_cast<std::size_t>(q)]);
        idx.push_back(q);
      }
      g->flat = idx;
      g->link = group_link(setup.node, setup.gpu, idx);
      sh.groups.push_back(std::move(g));
      return sh.groups.back().get();
    };
    for (int r = 0; r < width; ++r) {
      Slot& sl = sh.slot(s, r);
      sl.stage = s;
      sl.rank = r;
      const int flat = s * width + r;
      sl.gpu = sh.platform.gpus[static_cast<std::size_t>(flat)];
      const auto node = static_cast<std::size_t>(flat / setup.node.gpu_count);
      sl.cpu = sh.platform.cpus[node];
      sl.offload = setup.cxl_host ? sh.platform.cxls[node] : sl.cpu;
      for (int l = 0; l < lanes; ++l) sl.streams.push_back(std::make_unique<Stream>());
    }
    for (int l = 0; l < lanes; ++l) {
      Group* stage = make_group(s * width, width);
      for (int g = 0; g < width / tp; ++g) {
        Group* tpg = tp == width ? stage : make_group(s * width + g * tp, tp);
        for (int t = 0; t < tp; ++t) {
          Slot& sl = sh.slot(s, g * tp + t);
          sl.tp_group.push_back(tpg);
          sl.stage_group.push_back(stage);
        }
      }
    }
  }
  for (int s = 0; s < pp; ++s) {
    bool streams_weights = false;
    for (const SimStep& st : steps)
      for (const SimKernel& k : st.stages[static_cast<std::size_t>(s)].kernels) streams_weights |= k.stream_bytes > 0;
    for (int r = 0; r < width; ++r) {
      const std::string tag = std::to_string(s) + "." + std::to_string(r);
      sg4::Host* cpu = sh.slot(s, r).cpu;
      sg4::Actor::create("host" + tag, cpu, failure.guarded([&sh, s, r] { host_actor(&sh, s, r); }));
      for (int l = 0; l < lanes; ++l)
        sg4::Actor::create("stream" + tag + "." + std::to_string(l), cpu,
                           failure.guarded([&sh, s, r, l] { stream_actor(&sh, s, r, l); }));
      if (streams_weights)
        sg4::Actor::create("weights" + tag, cpu, failure.guarded([&sh, s, r] { weight_stream_actor(&sh, s, r); }));
    }
  }
  failure.run_guarded(engine);
  return sh.results;
}

std::vector<IterationResult> simulate_iterations(const SimSetup& setup, const std::vector<SimIteration>& iterations) {
  std::vector<SimStep> steps;
  steps.reserve(iterations.size());
  for (const SimIteration& it : iterations) steps.push_back(SimStep{{it}, 1});
  SimSetup one = setup;
  one.pp = 1;
  return simulate_steps(one, steps);
}

}  // namespace dssim
