#include "serving/event_queue.hpp"

#include "util/error.hpp"

namespace dssim {

EventQueue::EventQueue(std::vector<ActorTask*> actors)
    : actors_(std::move(actors)), generation_(actors_.size(), 0), awaiting_signal_(actors_.size(), 0) {
  for (std::size_t i = 0; i < actors_.size(); ++i) push(0, static_cast<int>(i));
}

void EventQueue::signal(int actor) {
  const auto a = static_cast<std::size_t>(actor);
  if (!awaiting_signal_[a]) throw Error("internal: a signal to an actor that does not wait for one", ExitCode::internal);
  awaiting_signal_[a] = 0;
  ++generation_[a];  // its timeout, if any, is void
  push(now_, actor);
}

void EventQueue::schedule(int actor) {
  const auto a = static_cast<std::size_t>(actor);
  ActorTask& task = *actors_[a];
  if (task.done()) return;
  const Wait& w = task.wait();
  switch (w.kind) {
    case Wait::until:
      push(w.t < now_ ? now_ : w.t, actor);
      return;
    case Wait::yield:
      push(now_, actor);
      return;
    case Wait::signal:
      awaiting_signal_[a] = 1;
      if (w.t != std::numeric_limits<double>::infinity()) push(w.t < now_ ? now_ : w.t, actor);
      return;
    case Wait::none:
      break;
  }
  throw Error("internal: an actor suspended without a wait", ExitCode::internal);
}

void EventQueue::run() {
  while (!heap_.empty()) {
    const Event e = heap_.top();
    heap_.pop();
    const auto a = static_cast<std::size_t>(e.actor);
    if (e.generation != generation_[a]) continue;  // a timeout a signal came before
    now_ = e.t;
    awaiting_signal_[a] = 0;
    ++generation_[a];
    actors_[a]->resume();
    schedule(e.actor);
  }
  for (ActorTask* t : actors_)
    if (!t->done()) throw Error("internal: a serving actor waits for a signal nobody will send", ExitCode::internal);
}

}  // namespace dssim
