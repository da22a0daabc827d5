#pragma once
// The serving engine's actors (the request generator and one per replica) are C++20 coroutines that
// co_await their waits, and a backend resumes them when the wait is over:
// - SimGrid: each coroutine runs inside a SimGrid actor that makes the wait an activity of the
//   platform. Needed where replicas share something SimGrid models: offload streams and prefix-cache
//   loads over PCIe links, SSD reads, KV transfers between pools (the coroutine calls those SimGrid
//   activities itself, on its actor's stack).
// - The event queue (serving/event_queue): replicas that share nothing but the router wait on a plain
//   time-ordered queue, the same waits in the same order without the platform's cost per activity.
// Only these waits exist, so the replica's code is the same under both.
#include <coroutine>
#include <exception>
#include <utility>

namespace dssim {

struct Wait {
  enum Kind { none, until, signal, yield } kind = none;
  // until: the instant to wake at. signal: when to stop waiting for a signal (+inf: never).
  double t = 0;
};

class ActorTask {
 public:
  struct promise_type {
    Wait wait;
    std::exception_ptr error;
    ActorTask get_return_object() { return ActorTask(std::coroutine_handle<promise_type>::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { error = std::current_exception(); }
  };
  using Handle = std::coroutine_handle<promise_type>;

  explicit ActorTask(Handle h) : h_(h) {}
  ActorTask(ActorTask&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  ActorTask& operator=(ActorTask&& o) noexcept {
    std::swap(h_, o.h_);
    return *this;
  }
  ActorTask(const ActorTask&) = delete;
  ActorTask& operator=(const ActorTask&) = delete;
  ~ActorTask() {
    if (h_) h_.destroy();
  }

  // Runs the actor to its next wait, or to its end; rethrows what it threw.
  void resume() {
    h_.resume();
    if (h_.promise().error) std::rethrow_exception(std::exchange(h_.promise().error, nullptr));
  }
  bool done() const { return h_.done(); }
  const Wait& wait() const { return h_.promise().wait; }

 private:
  Handle h_;
};

// co_await one of these inside an ActorTask.
struct WaitAwaiter {
  Wait w;
  bool await_ready() const noexcept { return false; }
  void await_suspend(ActorTask::Handle h) const noexcept { h.promise().wait = w; }
  void await_resume() const noexcept {}
};
inline WaitAwaiter wake_at(double t) { return {Wait{Wait::until, t}}; }
// Until another actor signals this one (serving_sim: World::release) or `until` (+inf: no limit).
inline WaitAwaiter signal_or(double until) { return {Wait{Wait::signal, until}}; }
// Lets every other actor due at this instant run first.
inline WaitAwaiter others_first() { return {Wait{Wait::yield, 0}}; }

}  // namespace dssim
