#pragma once
// Derivative-free minimisation (Nelder-Mead simplex) for the calibration fits: a few parameters,
// piecewise-smooth losses (the rounded roofline), no gradients worth deriving by hand.
#include <Eigen/Dense>
#include <functional>

namespace dssim {

struct NelderMeadResult {
  Eigen::VectorXd x;
  double value = 0;
  int iterations = 0;
};

// Minimises f from x0 with initial steps `scale`; stops when the simplex's values agree to `tol`
// (relative) or after `max_iterations`.
NelderMeadResult nelder_mead(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x0,
                             const Eigen::VectorXd& scale, int max_iterations = 2000, double tol = 1e-10);

}  // namespace dssim
