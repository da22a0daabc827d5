#include "engine/iteration_sim.hpp"

#include <simgrid/s4u.hpp>

#include "hw/engine.hpp"

#include <deque>
#include <memory>
#include <mutex>

#include "hw/platform.hpp"
#include "util/error.hpp"

namespace sg4 = simgrid::s4u;

namespace dssim {

namespace {

constexpr int kEndOfIteration = -1;

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

struct Shared {
  const SimSetup* setup;
  const std::vector<SimIteration>* iterations;
  Platform platform;
  std::vector<std::unique_ptr<Stream>> streams;
  sg4::BarrierPtr ring_barrier;
  std::vector<IterationResult> results;
};

void host_actor(Shared* s, int rank) {
  Stream& stream = *s->streams[rank];
  sg4::Host* gpu = s->platform.gpus[rank];
  for (std::size_t i = 0; i < s->iterations->size(); ++i) {
    const SimIteration& it = (*s->iterations)[i];
    double start = sg4::Engine::get_clock();
    double host_busy = 0;
    if (it.h2d_bytes > 0) sg4::Comm::sendto(s->platform.cpu, gpu, static_cast<uint64_t>(it.h2d_bytes));
    if (it.graph_launch_s > 0) {
      sg4::this_actor::execute(it.graph_launch_s * kCpuSpeed);
      host_busy += it.graph_launch_s;
      for (std::size_t k = 0; k < it.kernels.size(); ++k)
        if (it.kernels[k].kind != OpKind::host_only) stream.push(static_cast<int>(k));
    } else {
      for (std::size_t k = 0; k < it.kernels.size(); ++k) {
        const SimKernel& kern = it.kernels[k];
        if (kern.host_s > 0) {
          sg4::this_actor::execute(kern.host_s * kCpuSpeed);
          host_busy += kern.host_s;
        }
        if (kern.kind != OpKind::host_only) stream.push(static_cast<int>(k));
      }
    }
    stream.push(kEndOfIteration);
    stream.wait_finished(i + 1);
    if (it.d2h_bytes > 0) sg4::Comm::sendto(gpu, s->platform.cpu, static_cast<uint64_t>(it.d2h_bytes));
    if (rank == 0) {
      IterationResult& r = s->results[i];
      r.start_s = start;
      r.end_s = sg4::Engine::get_clock();
      r.host_busy_s = host_busy;
    }
  }
}

// Ring all-reduce: 2(p-1) steps, each moving 1/p of the payload to the next rank, all ranks at once.
void ring_allreduce(Shared* s, int rank, double bytes) {
  const int p = s->setup->ranks;
  sg4::Host* me = s->platform.gpus[rank];
  sg4::Host* next = s->platform.gpus[(rank + 1) % p];
  const auto chunk = static_cast<uint64_t>(bytes / p);
  for (int step = 0; step < 2 * (p - 1); ++step) {
    s->ring_barrier->wait();
    sg4::Comm::sendto(me, next, chunk);
  }
  s->ring_barrier->wait();
}

void stream_actor(Shared* s, int rank) {
  Stream& stream = *s->streams[rank];
  sg4::Host* gpu = s->platform.gpus[rank];
  std::size_t iteration = 0;
  while (iteration < s->iterations->size()) {
    int k = stream.pop();
    if (k == kEndOfIteration) {
      ++iteration;
      stream.finish_one();
      continue;
    }
    const SimKernel& kern = (*s->iterations)[iteration].kernels[static_cast<std::size_t>(k)];
    if (kern.kind == OpKind::allreduce) {
      if (s->setup->ranks > 1) ring_allreduce(s, rank, kern.bytes);
      continue;
    }
    if (kern.gpu_s <= 0) continue;
    sg4::ExecPtr exec = sg4::Exec::init()->set_flops_amount(kern.gpu_s * kGpuSpeed)->set_host(gpu);
    exec->start();
    exec->wait();
    if (rank == 0) s->results[iteration].gpu_busy_s += kern.gpu_s;
  }
}

}  // namespace

std::vector<IterationResult> simulate_iterations(const SimSetup& setup, const std::vector<SimIteration>& iterations) {
  if (setup.ranks < 1 || setup.ranks > setup.node.gpu_count)
    throw Error("internal: more tensor-parallel ranks than GPUs in the node", ExitCode::internal);
  auto engine_ptr = create_engine();
  sg4::Engine& engine = *engine_ptr;

  Shared s;
  s.setup = &setup;
  s.iterations = &iterations;
  s.platform = build_platform(engine, setup.node, setup.gpu);
  s.results.resize(iterations.size());
  s.ring_barrier = sg4::Barrier::create(static_cast<unsigned>(setup.ranks));
  for (int r = 0; r < setup.ranks; ++r) s.streams.push_back(std::make_unique<Stream>());
  for (int r = 0; r < setup.ranks; ++r) {
    sg4::Actor::create("host" + std::to_string(r), s.platform.cpu, [&s, r] { host_actor(&s, r); });
    sg4::Actor::create("stream" + std::to_string(r), s.platform.cpu, [&s, r] { stream_actor(&s, r); });
  }
  engine.run();
  return s.results;
}

}  // namespace dssim
