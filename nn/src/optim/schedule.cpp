// Learning-rate schedules: PyTorch's closed forms (see optimizer.hpp).
#include <cmath>
#include <numbers>
#include <string>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/optimizer.hpp>

namespace xbarsim {

void LrSchedule::validate() const {
  ProblemList problems;
  if (!(base_lr > 0.0)) problems.add("schedule.base_lr", "expected > 0, got " + std::to_string(base_lr));
  if (kind == ScheduleKind::Step && step_size == 0) problems.add("schedule.step_size", "expected >= 1 epoch, got 0");
  if ((kind == ScheduleKind::Step || kind == ScheduleKind::Exponential) && !(gamma >= 0.0))
    problems.add("schedule.gamma", "expected >= 0, got " + std::to_string(gamma));
  if (kind == ScheduleKind::Cosine && t_max == 0) problems.add("schedule.t_max", "expected >= 1 epoch, got 0");
  if (kind == ScheduleKind::Cosine && !(eta_min >= 0.0))
    problems.add("schedule.eta_min", "expected >= 0, got " + std::to_string(eta_min));
  problems.throw_if_any();
}

double LrSchedule::lr(std::size_t epoch) const {
  const double e = static_cast<double>(epoch);
  switch (kind) {
    case ScheduleKind::Constant:
      return base_lr;
    case ScheduleKind::Step:
      return base_lr * std::pow(gamma, static_cast<double>(epoch / (step_size ? step_size : 1)));
    case ScheduleKind::Exponential:
      return base_lr * std::pow(gamma, e);
    case ScheduleKind::Cosine:
      return eta_min + (base_lr - eta_min) *
                           (1.0 + std::cos(std::numbers::pi * e / static_cast<double>(t_max ? t_max : 1))) / 2.0;
  }
  return base_lr;
}

}  // namespace xbarsim
