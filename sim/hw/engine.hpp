#pragma once
// The process's one SimGrid engine (a second one would not reset the clock and would keep the first
// one's callbacks), quiet below warnings. Every simulation in dssim starts here.
#include <simgrid/s4u.hpp>

#include <memory>

namespace dssim {

// Throws an internal Error when a simulation already ran in this process.
std::unique_ptr<simgrid::s4u::Engine> create_engine();

}  // namespace dssim
