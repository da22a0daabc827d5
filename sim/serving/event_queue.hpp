#pragma once
// A discrete-event loop for the serving engine's actors (serving/actor_task) when nothing they do
// needs the SimGrid platform: actors wake in time order, and at one instant in the order they became
// due (first in, first out), as SimGrid wakes them. One heap entry per wait instead of a SimGrid
// activity, which is most of a replay's cost at a million requests.
#include <limits>
#include <queue>
#include <vector>

#include "serving/actor_task.hpp"

namespace dssim {

class EventQueue {
 public:
  // The actors, started in this order at time 0 (as SimGrid starts actors in their creation order).
  explicit EventQueue(std::vector<ActorTask*> actors);
  double now() const { return now_; }
  // Wakes `actor` now if it waits for a signal (a signal to an actor not waiting for one is an error).
  void signal(int actor);
  // Runs until every actor has ended; rethrows the first exception an actor threw.
  void run();

 private:
  struct Event {
    double t;
    long long seq;
    int actor;
    unsigned generation;  // the actor's wait it belongs to: an older one's timeout is stale
    bool operator>(const Event& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  void push(double t, int actor) { heap_.push(Event{t, seq_++, actor, generation_[static_cast<std::size_t>(actor)]}); }
  void schedule(int actor);  // after it suspended: when it wakes

  std::vector<ActorTask*> actors_;
  std::vector<unsigned> generation_;
  std::vector<char> awaiting_signal_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> heap_;
  double now_ = 0;
  long long seq_ = 0;
};

}  // namespace dssim
