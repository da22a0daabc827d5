// dssim CUDA microbenchmarks: memory, PCIe and peer-to-peer bandwidth (bandwidth.csv).
//  - d2d_copy: cudaMemcpyAsync device-to-device, CUDA events; GBps counts bytes read + written.
//  - read_sum: a reduction kernel that reads the whole buffer (bf16, summed in fp32), CUDA events.
//  - h2d/d2h pinned (cudaMemcpyAsync, one synchronize per trial) and pageable (cudaMemcpy): host wall
//    clock around synchronized copies, as probe.py.
//  - duplex_h2d+d2h_pinned: 1 GiB up and 1 GiB down at once on two streams; bytes = total moved.
//  - h2d_pinned_with_gemm10x8192: 1 GiB pinned upload issued right after ten 8192^3 bf16 GEMMs on
//    another stream; seconds = host wall clock from issue to the copy's completion.
//  - p2p_<src>_<dst>: cudaMemcpyPeerAsync between GPUs (peer access enabled when possible).
// Every row is the median of 3 trials of the mean of back-to-back calls after warm-up.
#include "common.hpp"

#include <cuda_bf16.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace mb {

namespace {

__global__ void read_sum_kernel(const uint4* __restrict__ p, size_t n16, float* __restrict__ result) {
  float acc = 0.f;
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n16; i += stride) {
    uint4 u = p[i];
    const __nv_bfloat162* h = reinterpret_cast<const __nv_bfloat162*>(&u);
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      float2 f = __bfloat1622float2(h[j]);
      acc += f.x + f.y;
    }
  }
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, off);
  __shared__ float ws[32];
  if (threadIdx.x % 32 == 0) ws[threadIdx.x / 32] = acc;
  __syncthreads();
  if (threadIdx.x < 32) {
    acc = threadIdx.x < blockDim.x / 32 ? ws[threadIdx.x] : 0.f;
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, off);
    if (threadIdx.x == 0) atomicAdd(result, acc);
  }
}

std::string bw_row(const std::string& kind, size_t bytes, double t, double moved) {
  return kind + "," + std::to_string(bytes) + "," + fmt_g9(t) + "," + fmt_g6(moved / t / 1e9);
}

bool fits(size_t bytes) {
  size_t free_b = 0, total_b = 0;
  if (cudaMemGetInfo(&free_b, &total_b) != cudaSuccess) return true;
  return bytes + (256u << 20) < free_b;
}

struct PinnedBuf {
  void* p = nullptr;
  explicit PinnedBuf(size_t n) { CK_CUDA(cudaMallocHost(&p, n)); }
  ~PinnedBuf() { if (p) CK_WARN(cudaFreeHost(p)); }
  PinnedBuf(const PinnedBuf&) = delete;
  PinnedBuf& operator=(const PinnedBuf&) = delete;
};

struct Stream {
  cudaStream_t s = nullptr;
  Stream() { CK_CUDA(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking)); }
  ~Stream() { if (s) CK_WARN(cudaStreamDestroy(s)); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
};

}  // namespace

void run_bandwidth(const Options& o, Csv& bw) {
  std::vector<size_t> sizes = {1u << 20, 4u << 20, 16u << 20, 64u << 20, 256u << 20, 1ull << 30, 4ull << 30};
  if (o.quick) sizes = {1u << 20, 64u << 20, 1ull << 30};
  int sms = 132;
  CK_WARN(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, o.device));
  for (size_t n : sizes) {
    if (!fits(2 * n)) {
      log("bandwidth: %zu bytes x2 do not fit in free memory, skipped", n);
      continue;
    }
    try {
      DevBuf a(n), b(n), res(sizeof(float));
      fill_random(a.get(), n / 2, Fill::bf16, 11);
      auto copy = [&] { CK_CUDA(cudaMemcpyAsync(b.get(), a.get(), n, cudaMemcpyDeviceToDevice, nullptr)); };
      int reps = adaptive_reps(copy);
      double t = time_fn(copy, reps);
      bw.row(bw_row("d2d_copy", n, t, 2.0 * static_cast<double>(n)));
      const unsigned blocks = static_cast<unsigned>(sms) * 8u;
      auto rsum = [&] {
        read_sum_kernel<<<blocks, 256>>>(a.as<const uint4>(), n / 16, res.as<float>());
        CK_CUDA(cudaGetLastError());
      };
      t = time_fn(rsum, reps);
      bw.row(bw_row("read_sum", n, t, static_cast<double>(n)));
      log("bandwidth %zu bytes done", n);
    } catch (const Failure& ex) {
      log("bandwidth fail %zu bytes: %s", n, ex.what());
    }
  }
}

void run_pcie(const Options& o, Csv& bw) {
  std::vector<size_t> sizes = {4u << 10, 64u << 10, 1u << 20, 16u << 20, 256u << 20, 1ull << 30};
  if (o.quick) sizes = {64u << 10, 16u << 20, 256u << 20};
  for (size_t n : sizes) {
    try {
      DevBuf d(n);
      for (bool pinned : {true, false}) {
        void* h = nullptr;
        std::unique_ptr<PinnedBuf> hp;
        std::unique_ptr<unsigned char, void (*)(void*)> hq(nullptr, std::free);
        if (pinned) {
          hp = std::make_unique<PinnedBuf>(n);
          h = hp->p;
        } else {
          hq.reset(static_cast<unsigned char*>(std::malloc(n)));
          if (!hq) throw Failure("malloc failed");
          h = hq.get();
        }
        std::memset(h, 1, n);  // touch every page
        const int reps = std::max(3, std::min(100, static_cast<int>(0.05 / (static_cast<double>(n) / 20e9 + 10e-6))));
        const std::string sfx = pinned ? "pinned" : "pageable";
        auto up = [&] {
          if (pinned) CK_CUDA(cudaMemcpyAsync(d.get(), h, n, cudaMemcpyHostToDevice, nullptr));
          else CK_CUDA(cudaMemcpy(d.get(), h, n, cudaMemcpyHostToDevice));
        };
        auto down = [&] {
          if (pinned) CK_CUDA(cudaMemcpyAsync(h, d.get(), n, cudaMemcpyDeviceToHost, nullptr));
          else CK_CUDA(cudaMemcpy(h, d.get(), n, cudaMemcpyDeviceToHost));
        };
        double t = time_fn(up, reps, 3, 3, true);
        bw.row(bw_row("h2d_" + sfx, n, t, static_cast<double>(n)));
        t = time_fn(down, reps, 3, 3, true);
        bw.row(bw_row("d2h_" + sfx, n, t, static_cast<double>(n)));
      }
      log("pcie %zu bytes done", n);
    } catch (const Failure& ex) {
      log("pcie fail %zu bytes: %s", n, ex.what());
    }
  }

  const size_t n = o.quick ? (256u << 20) : (1ull << 30);
  try {  // full duplex: n up and n down at once
    DevBuf d1(n), d2(n);
    PinnedBuf h1(n), h2(n);
    std::memset(h1.p, 1, n);
    std::memset(h2.p, 1, n);
    Stream s1, s2;
    auto f = [&] {
      CK_CUDA(cudaMemcpyAsync(d1.get(), h1.p, n, cudaMemcpyHostToDevice, s1.s));
      CK_CUDA(cudaMemcpyAsync(h2.p, d2.get(), n, cudaMemcpyDeviceToHost, s2.s));
    };
    double t = time_fn(f, 3, 3, 1, true);
    bw.row(bw_row("duplex_h2d+d2h_pinned", 2 * n, t, 2.0 * static_cast<double>(n)));
    log("pcie duplex done");
  } catch (const Failure& ex) {
    log("pcie duplex fail: %s", ex.what());
  }

  try {  // upload while the SMs run GEMMs
    cublasLtHandle_t lt = nullptr;
    CK_LT(cublasLtCreate(&lt));
    struct LtGuard {
      cublasLtHandle_t h;
      ~LtGuard() { cublasLtDestroy(h); }
    } guard{lt};
    Stream sg, sc;
    LtGemm g(lt, "bf16", 8192, 8192, 1, sg.s);
    if (!g.plan(8192)) throw Failure("no bf16 8192^3 GEMM algorithm");
    DevBuf d(n);
    PinnedBuf h(n);
    std::memset(h.p, 1, n);
    std::vector<double> ts;
    for (int trial = 0; trial < 4; ++trial) {  // first one is warm-up
      CK_CUDA(cudaDeviceSynchronize());
      auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < 10; ++i) g.run();
      CK_CUDA(cudaMemcpyAsync(d.get(), h.p, n, cudaMemcpyHostToDevice, sc.s));
      CK_CUDA(cudaStreamSynchronize(sc.s));
      double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (trial > 0) ts.push_back(dt);
    }
    CK_CUDA(cudaDeviceSynchronize());
    std::sort(ts.begin(), ts.end());
    const double t = ts[ts.size() / 2];
    bw.row(bw_row("h2d_pinned_with_gemm10x8192", n, t, static_cast<double>(n)));
    log("pcie copy under GEMM load done");
  } catch (const Failure& ex) {
    log("pcie copy under GEMM load fail: %s", ex.what());
  }
}

void run_p2p(const Options& o, Csv& bw) {
  int ndev = 0;
  CK_WARN(cudaGetDeviceCount(&ndev));
  if (ndev < 2) {
    log("p2p: %d GPU visible, nothing to measure", ndev);
    return;
  }
  ndev = std::min(ndev, 8);
  std::vector<size_t> sizes = {64u << 20, 1ull << 30};
  if (o.quick) sizes = {64u << 20};
  for (int src = 0; src < ndev; ++src) {
    for (int dst = 0; dst < ndev; ++dst) {
      if (src == dst) continue;
      try {
        int can = 0;
        CK_CUDA(cudaDeviceCanAccessPeer(&can, src, dst));
        if (can) {
          CK_CUDA(cudaSetDevice(src));
          cudaError_t e = cudaDeviceEnablePeerAccess(dst, 0);
          if (e == cudaErrorPeerAccessAlreadyEnabled) (void)cudaGetLastError();
          else CK_CUDA(e);
        }
        for (size_t n : sizes) {
          CK_CUDA(cudaSetDevice(dst));
          DevBuf bd(n);
          CK_CUDA(cudaSetDevice(src));
          DevBuf bs(n);
          Stream s;
          auto f = [&] { CK_CUDA(cudaMemcpyPeerAsync(bd.get(), dst, bs.get(), src, n, s.s)); };
          int reps = adaptive_reps(f);
          double t = time_fn(f, reps, 3, 3, false, s.s);
          bw.row(bw_row("p2p_" + std::to_string(src) + "_" + std::to_string(dst), n, t, static_cast<double>(n)));
        }
        log("p2p %d -> %d done (peer access %s)", src, dst, can ? "on" : "not available");
      } catch (const Failure& ex) {
        log("p2p fail %d -> %d: %s", src, dst, ex.what());
      }
    }
  }
  CK_WARN(cudaSetDevice(o.device));
}

}  // namespace mb
