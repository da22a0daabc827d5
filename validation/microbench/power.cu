// dssim CUDA microbenchmarks: sustained load for the power / clock trace (power_load.csv).
// As probe.py's thermal section: an idle_before marker and 2 s idle; back-to-back 8192^3 bf16
// cuBLASLt GEMMs for 30 s, one row per 50-GEMM window (rate in TFLOP/s); 2 GiB device-to-device
// copies for 8 s, one row per 20-copy window (rate in GB/s, bytes read + written); an idle_after
// marker and 6 s idle. Windows are timed with CUDA events; epoch_s is the host UTC wall clock when
// the window ended, the clock of nvidia_smi_trace.csv's timestamps. The NVML sampler (main.cu)
// runs throughout.
#include "common.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

namespace mb {

namespace {

std::string epoch_str() {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", now_epoch());
  return b;
}

struct Events {
  cudaEvent_t s = nullptr, e = nullptr;
  Events() {
    CK_CUDA(cudaEventCreate(&s));
    CK_CUDA(cudaEventCreate(&e));
  }
  ~Events() {
    if (s) CK_WARN(cudaEventDestroy(s));
    if (e) CK_WARN(cudaEventDestroy(e));
  }
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;
  double seconds() const {
    float ms = 0.f;
    CK_CUDA(cudaEventElapsedTime(&ms, s, e));
    return ms / 1e3;
  }
};

}  // namespace

void run_power(const Options& o) {
  Csv w(o.out_dir + "/power_load.csv", "phase,epoch_s,seconds_per_op,rate");
  const double gemm_s = o.quick ? 8.0 : 30.0, copy_s = o.quick ? 3.0 : 8.0, idle_s = o.quick ? 2.0 : 6.0;
  w.row("idle_before," + epoch_str() + ",,");
  std::this_thread::sleep_for(std::chrono::seconds(2));

  cudaStream_t st = nullptr;
  try {
    CK_CUDA(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
  } catch (const Failure&) {
    st = nullptr;
  }
  try {
    cublasLtHandle_t lt = nullptr;
    CK_LT(cublasLtCreate(&lt));
    struct LtGuard {
      cublasLtHandle_t h;
      ~LtGuard() { cublasLtDestroy(h); }
    } guard{lt};
    const long long n = 8192;
    LtGemm g(lt, "bf16", n, n, 1, st);
    if (!g.plan(n)) throw Failure("no bf16 8192^3 GEMM algorithm");
    Events ev;
    const double t0 = since_start();
    while (since_start() - t0 < gemm_s) {
      CK_CUDA(cudaEventRecord(ev.s, st));
      for (int i = 0; i < 50; ++i) g.run();
      CK_CUDA(cudaEventRecord(ev.e, st));
      CK_CUDA(cudaEventSynchronize(ev.e));
      const double dt = ev.seconds() / 50;
      w.row("gemm_bf16_8192," + epoch_str() + "," + fmt_g9(dt) + "," +
            fmt_g6(2.0 * static_cast<double>(n) * n * n / dt / 1e12));
    }
    log("power: GEMM load done");
  } catch (const Failure& ex) {
    log("power GEMM load fail: %s", ex.what());
  }
  try {
    const size_t bytes = 2ull << 30;
    DevBuf x(bytes), y(bytes);
    fill_random(x.get(), bytes / 2, Fill::bf16, 5, st);
    Events ev;
    const double t0 = since_start();
    while (since_start() - t0 < copy_s) {
      CK_CUDA(cudaEventRecord(ev.s, st));
      for (int i = 0; i < 20; ++i)
        CK_CUDA(cudaMemcpyAsync(y.get(), x.get(), bytes, cudaMemcpyDeviceToDevice, st));
      CK_CUDA(cudaEventRecord(ev.e, st));
      CK_CUDA(cudaEventSynchronize(ev.e));
      const double dt = ev.seconds() / 20;
      w.row("copy_2GiB," + epoch_str() + "," + fmt_g9(dt) + "," + fmt_g6(2.0 * static_cast<double>(bytes) / dt / 1e9));
    }
    log("power: copy load done");
  } catch (const Failure& ex) {
    log("power copy load fail: %s", ex.what());
  }
  CK_WARN(cudaDeviceSynchronize());
  if (st) CK_WARN(cudaStreamDestroy(st));
  w.row("idle_after," + epoch_str() + ",,");
  std::this_thread::sleep_for(std::chrono::duration<double>(idle_s));
}

}  // namespace mb
