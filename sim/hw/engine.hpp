#pragma once
// The process's one SimGrid engine (a second one would not reset the clock and would keep the first
// one's callbacks), quiet below warnings. Every simulation in dssim starts here.
#include <simgrid/s4u.hpp>

#include <exception>
#include <memory>

namespace dssim {

// Throws an internal Error when a simulation already ran in this process.
std::unique_ptr<simgrid::s4u::Engine> create_engine();

// Exceptions never escape a SimGrid actor (SimGrid would abort with "Uncaught exception"): an actor
// body wrapped by `guarded` keeps the first exception of the simulation in `failure` and stops every
// other actor; run_guarded() runs the engine and rethrows it, so the caller sees an ordinary error.
class ActorFailure {
 public:
  template <class F>
  auto guarded(F body) {
    return [this, body]() mutable {
      try {
        body();
      } catch (...) {
        if (!failure_) failure_ = std::current_exception();
        simgrid::s4u::Actor::kill_all();
      }
    };
  }
  void run_guarded(simgrid::s4u::Engine& engine) {
    engine.run();
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  std::exception_ptr failure_;
};

}  // namespace dssim
