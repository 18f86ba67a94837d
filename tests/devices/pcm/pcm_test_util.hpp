#pragma once
// Small statistics helpers for the PCM tests. Reference moments are computed here in
// closed form, independently of the model code.
#include <cmath>
#include <numbers>
#include <vector>

namespace pcmtest {

struct Moments {
  double mean = 0, sd = 0;
  std::size_t n = 0;
};

template <class Range>
Moments moments(const Range& xs) {
  double s = 0, s2 = 0;
  std::size_t n = 0;
  for (double x : xs) {
    s += x;
    s2 += x * x;
    ++n;
  }
  const double mean = s / n;
  return {mean, std::sqrt(std::max(s2 / n - mean * mean, 0.0) * n / (n - 1.0)), n};
}

inline double phi(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }
inline double Phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// Mean and sd of |X| for X ~ N(mu, sigma) (folded normal; Leone, Nelson, Nottingham,
/// Technometrics 3(4), 1961): E|X| = sigma sqrt(2/pi) exp(-mu^2/(2 sigma^2)) + mu (1 - 2 Phi(-mu/sigma)),
/// E[X^2] = mu^2 + sigma^2.
inline Moments folded_normal(double mu, double sigma) {
  const double m = sigma * std::sqrt(2.0 / std::numbers::pi) * std::exp(-mu * mu / (2 * sigma * sigma)) +
                   mu * (1.0 - 2.0 * Phi(-mu / sigma));
  return {m, std::sqrt(mu * mu + sigma * sigma - m * m), 0};
}

/// Mean and sd of max(X, lo) for X ~ N(mu, sigma) (normal censored from below at lo):
/// with a = (lo - mu)/sigma, E = lo Phi(a) + mu (1 - Phi(a)) + sigma phi(a) and
/// E[Y^2] = lo^2 Phi(a) + (mu^2 + sigma^2)(1 - Phi(a)) + sigma (mu + lo) phi(a).
inline Moments censored_below(double mu, double sigma, double lo) {
  const double a = (lo - mu) / sigma;
  const double m = lo * Phi(a) + mu * (1 - Phi(a)) + sigma * phi(a);
  const double e2 = lo * lo * Phi(a) + (mu * mu + sigma * sigma) * (1 - Phi(a)) + sigma * (mu + lo) * phi(a);
  return {m, std::sqrt(e2 - m * m), 0};
}

}  // namespace pcmtest
