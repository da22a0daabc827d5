// dssim CUDA microbenchmarks: shared helpers.
#include "common.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cuda_fp16.h>
#include <mutex>

namespace mb {

namespace {
const auto kStart = std::chrono::steady_clock::now();
std::FILE* g_log = nullptr;
std::mutex g_log_mu;
}  // namespace

void fail_cuda(cudaError_t e, const char* call, const char* file, int line) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%s failed: %s (%s) at %s:%d", call, cudaGetErrorString(e),
                cudaGetErrorName(e), file, line);
  std::fprintf(stderr, "dssim-microbench: error: %s\n", buf);
  (void)cudaGetLastError();  // clear a non-sticky error so the next measurement can run
  throw Failure(buf);
}

void fail_cublas(cublasStatus_t s, const char* call, const char* file, int line) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%s failed: cuBLAS status %d at %s:%d", call, static_cast<int>(s),
                file, line);
  std::fprintf(stderr, "dssim-microbench: error: %s\n", buf);
  (void)cudaGetLastError();
  throw Failure(buf);
}

double now_epoch() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

double since_start() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - kStart).count();
}

void open_log(const std::string& path) {
  std::lock_guard<std::mutex> g(g_log_mu);
  g_log = std::fopen(path.c_str(), "a");
}

void close_log() {
  std::lock_guard<std::mutex> g(g_log_mu);
  if (g_log) std::fclose(g_log);
  g_log = nullptr;
}

void log(const char* fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  std::lock_guard<std::mutex> g(g_log_mu);
  std::fprintf(stderr, "[%7.1fs] %s\n", since_start(), msg);
  if (g_log) {
    std::fprintf(g_log, "[%7.1fs] %s\n", since_start(), msg);
    std::fflush(g_log);
  }
}

Csv::Csv(const std::string& path, const std::string& header) {
  f_ = std::fopen(path.c_str(), "w");
  if (!f_) {
    std::fprintf(stderr, "dssim-microbench: error: cannot write %s\n", path.c_str());
    return;
  }
  row(header);
}

Csv::~Csv() {
  if (f_) std::fclose(f_);
}

void Csv::row(const std::string& line) {
  if (!f_) return;
  std::fputs(line.c_str(), f_);
  std::fputc('\n', f_);
  std::fflush(f_);
}

static std::string fmt_g(double v, int prec) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char b[64];
  std::snprintf(b, sizeof b, "%.*g", prec, v);
  return b;
}
std::string fmt_g9(double v) { return fmt_g(v, 9); }
std::string fmt_g6(double v) { return fmt_g(v, 6); }

double time_fn(const std::function<void()>& fn, int reps, int trials, int warm, bool wall,
               cudaStream_t stream) {
  for (int i = 0; i < warm; ++i) fn();
  CK_CUDA(cudaDeviceSynchronize());
  std::vector<double> res;
  cudaEvent_t s = nullptr, e = nullptr;
  if (!wall) {
    CK_CUDA(cudaEventCreate(&s));
    CK_CUDA(cudaEventCreate(&e));
  }
  try {
    for (int t = 0; t < trials; ++t) {
      if (!wall) {
        CK_CUDA(cudaEventRecord(s, stream));
        for (int i = 0; i < reps; ++i) fn();
        CK_CUDA(cudaEventRecord(e, stream));
        CK_CUDA(cudaEventSynchronize(e));
        float ms = 0.f;
        CK_CUDA(cudaEventElapsedTime(&ms, s, e));
        res.push_back(static_cast<double>(ms) / 1e3 / reps);
      } else {
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < reps; ++i) fn();
        CK_CUDA(cudaDeviceSynchronize());
        res.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
                      reps);
      }
    }
  } catch (...) {
    if (s) cudaEventDestroy(s);
    if (e) cudaEventDestroy(e);
    throw;
  }
  if (s) CK_WARN(cudaEventDestroy(s));
  if (e) CK_WARN(cudaEventDestroy(e));
  std::sort(res.begin(), res.end());
  return res[res.size() / 2];
}

int adaptive_reps(const std::function<void()>& fn, double target_s, int cap) {
  fn();
  CK_CUDA(cudaDeviceSynchronize());
  auto t0 = std::chrono::steady_clock::now();
  fn();
  CK_CUDA(cudaDeviceSynchronize());
  double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double r = target_s / std::max(dt, 1e-6);
  return static_cast<int>(std::max(3.0, std::min(static_cast<double>(cap), r)));
}

DevBuf::DevBuf(size_t bytes) : n_(bytes) {
  CK_CUDA(cudaMalloc(&p_, bytes == 0 ? 1 : bytes));
}

DevBuf::~DevBuf() {
  if (p_) CK_WARN(cudaFree(p_));
}

DevBuf& DevBuf::operator=(DevBuf&& o) noexcept {
  if (this != &o) {
    if (p_) CK_WARN(cudaFree(p_));
    p_ = o.p_;
    n_ = o.n_;
    o.p_ = nullptr;
    o.n_ = 0;
  }
  return *this;
}

// ---------------------------------------------------------------- random fill
__device__ __forceinline__ unsigned hash_u32(unsigned long long i, unsigned seed) {
  unsigned long long x = i * 0x9E3779B97F4A7C15ull + seed * 0xBF58476D1CE4E5B9ull;
  x ^= x >> 31;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 29;
  return static_cast<unsigned>(x);
}

// Values uniform in [-1, 1): bf16/fp16/fp32 written as bit patterns so this compiles for any arch.
__global__ void fill_kernel(void* p, size_t count, int kind, unsigned seed) {
  size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    unsigned h = hash_u32(i, seed);
    float f = static_cast<float>(h >> 8) * (2.0f / 16777216.0f) - 1.0f;
    unsigned bits = __float_as_uint(f);
    switch (kind) {
      case 0:  // bf16: upper half of the fp32 pattern
        static_cast<unsigned short*>(p)[i] = static_cast<unsigned short>(bits >> 16);
        break;
      case 1:  // fp16
        static_cast<unsigned short*>(p)[i] = __half_as_ushort(__float2half(f));
        break;
      case 2:
        static_cast<float*>(p)[i] = f;
        break;
      case 3:  // int8 in [-100, 100]
        static_cast<signed char*>(p)[i] = static_cast<signed char>(static_cast<int>(h % 201u) - 100);
        break;
      case 4: {  // fp8 e4m3: sign, exponent 5..8 (0.125..2), any mantissa: never NaN
        unsigned sign = (h >> 31) & 1u, ex = 5u + ((h >> 3) & 3u), man = h & 7u;
        static_cast<unsigned char*>(p)[i] = static_cast<unsigned char>((sign << 7) | (ex << 3) | man);
        break;
      }
      default:
        static_cast<unsigned char*>(p)[i] = static_cast<unsigned char>(h);
    }
  }
}

void fill_random(void* p, size_t count, Fill kind, unsigned seed, cudaStream_t s) {
  if (count == 0) return;
  size_t blocks = std::min<size_t>((count + 255) / 256, 65535);
  fill_kernel<<<static_cast<unsigned>(blocks), 256, 0, s>>>(p, count, static_cast<int>(kind), seed);
  CK_CUDA(cudaGetLastError());
}

}  // namespace mb
