#pragma once
// The steps of `dssim calibrate` (calibration/fitter.cpp runs them in order) and the small statistics
// they share. Each step reads one measurement file and fills its part of the profile and the report.
#include <string>
#include <utility>
#include <vector>

#include "calibration/fitter.hpp"
#include "util/stats.hpp"

namespace dssim {

double quantile(std::vector<double> v, double q);
double rel(double pred, double meas);  // |pred - meas| / meas
// Least squares y = c0 + c1 * x; `relative` weighs each residual by 1/y.
std::pair<double, double> line_fit(const std::vector<double>& x, const std::vector<double>& y, bool relative);

void fit_bandwidth(const std::string& path, const GpuCard& gpu, CalibrationProfile& p, FitReport& rep);  // fit_bandwidth.cpp
void fit_gemm(const std::string& path, const GpuCard& gpu, CalibrationProfile& p, FitReport& rep);       // fit_gemm.cpp
void fit_attention(const std::string& path, const GpuCard& gpu, CalibrationProfile& p, FitReport& rep);  // fit_bandwidth.cpp
void read_power(const std::string& dir, PowerInputs& pw);                                                 // fit_power.cpp

}  // namespace dssim
