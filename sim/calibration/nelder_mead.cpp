#include "calibration/nelder_mead.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace dssim {

NelderMeadResult nelder_mead(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x0,
                             const Eigen::VectorXd& scale, int max_iterations, double tol) {
  const Eigen::Index n = x0.size();
  std::vector<Eigen::VectorXd> s(static_cast<std::size_t>(n + 1), x0);
  for (Eigen::Index i = 0; i < n; ++i) s[static_cast<std::size_t>(i + 1)](i) += scale(i);
  std::vector<double> v(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) v[i] = f(s[i]);
  std::vector<std::size_t> order(s.size());
  int it = 0;
  for (; it < max_iterations; ++it) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    const std::size_t best = order.front(), worst = order.back(), second = order[order.size() - 2];
    if (std::fabs(v[worst] - v[best]) <= tol * (std::fabs(v[best]) + 1e-30)) break;
    Eigen::VectorXd c = Eigen::VectorXd::Zero(n);
    for (std::size_t i = 0; i + 1 < order.size(); ++i) c += s[order[i]];
    c /= static_cast<double>(n);
    const Eigen::VectorXd r = c + (c - s[worst]);
    const double fr = f(r);
    if (fr < v[best]) {
      const Eigen::VectorXd e = c + 2.0 * (c - s[worst]);
      const double fe = f(e);
      if (fe < fr) { s[worst] = e; v[worst] = fe; } else { s[worst] = r; v[worst] = fr; }
    } else if (fr < v[second]) {
      s[worst] = r;
      v[worst] = fr;
    } else {
      const Eigen::VectorXd k = c + 0.5 * (s[worst] - c);
      const double fk = f(k);
      if (fk < v[worst]) {
        s[worst] = k;
        v[worst] = fk;
      } else {  // shrink towards the best
        for (std::size_t i = 0; i < s.size(); ++i) {
          if (i == best) continue;
          s[i] = s[best] + 0.5 * (s[i] - s[best]);
          v[i] = f(s[i]);
        }
      }
    }
  }
  const std::size_t best = static_cast<std::size_t>(std::min_element(v.begin(), v.end()) - v.begin());
  return {s[best], v[best], it};
}

}  // namespace dssim
