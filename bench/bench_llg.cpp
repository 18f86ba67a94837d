// Benchmark of the batched macrospin s-LLGS integrator (devices/mtj_llg.hpp): 1e4
// thermal trajectories of the ARM-MRAM default MTJ at I = 3 I_c0 (P -> AP), integrated
// for a fixed time (no early stop, so both runs do the same work), on one thread.
//   batched:  one odeint state vector per block of 256 trajectories (SIMD-friendly
//             structure-of-arrays loops);
//   baseline: the same trajectories one at a time (block of 1: a scalar per-trajectory
//             loop), measured in the same run.
// Both use the same keyed random numbers, so their switching times must be identical.
// Usage: bench_llg [trajectories=10000] [duration_ns=5] [dt_ps=1]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/devices/mtj_llg.hpp>

namespace {
// Wall and process CPU time of one call; the ratio uses CPU time, which a machine shared
// with other jobs inflates less than wall time.
struct Timing {
  double wall_s = 0, cpu_s = 0;
};
template <class F>
Timing timed(F&& f) {
  const auto w0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  f();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count(),
          static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC};
}
}  // namespace

int main(int argc, char** argv) {
  using namespace xbarsim;
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000;
  const double duration_s = (argc > 2 ? std::atof(argv[2]) : 5.0) * 1e-9;
  const double dt_s = (argc > 3 ? std::atof(argv[3]) : 1.0) * 1e-12;
  ThreadLimit one(1);

  const mtj::Macrospin ms = mtj::reference_macrospin(MtjParams{});
  mtj::LlgOptions o;
  o.dt_s = dt_s;
  o.t_max_s = duration_s;
  o.start = mtj::LlgStart::BoltzmannP;
  o.stop_when_switched = false;
  const double current = -3.0 * ms.i_c0_A();

  mtj::LlgResult batched, scalar;
  o.block = 256;
  const Timing t_batched = timed([&] { batched = mtj::simulate_llg(ms, current, n, o, 1); });
  o.block = 1;
  const Timing t_scalar = timed([&] { scalar = mtj::simulate_llg(ms, current, n, o, 1); });

  std::size_t switched = 0;
  for (double t : batched.switching_time_s) switched += std::isfinite(t);
  const bool identical = batched.switching_time_s == scalar.switching_time_s && batched.mz == scalar.mz;
  const double steps = static_cast<double>(batched.trajectory_steps);
  std::printf("s-LLGS macrospin, ARM default MTJ (Delta %.1f, tau_D %.3g s), I = 3 I_c0, 1 thread\n", ms.delta(),
              ms.tau_d_s());
  std::printf("trajectories %zu, duration %.3g s, dt %.3g s, trajectory-steps %.3g\n", n, duration_s, dt_s, steps);
  std::printf("batched (block 256):  cpu %8.3f s (wall %8.3f s)  %6.2f ns cpu per trajectory-step\n", t_batched.cpu_s,
              t_batched.wall_s, 1e9 * t_batched.cpu_s / steps);
  std::printf("baseline (block 1):   cpu %8.3f s (wall %8.3f s)  %6.2f ns cpu per trajectory-step\n", t_scalar.cpu_s,
              t_scalar.wall_s, 1e9 * t_scalar.cpu_s / steps);
  std::printf("speed-up batched / baseline (cpu time): %.2fx\n", t_scalar.cpu_s / t_batched.cpu_s);
  std::printf("switched by the end: %zu of %zu; results identical: %s\n", switched, n, identical ? "yes" : "NO");
  return identical ? 0 : 1;
}
