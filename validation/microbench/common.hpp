// dssim CUDA microbenchmarks: shared helpers (error checks, timing, CSV output, logging).
// The method mirrors validation/data/h200/probe.py: CUDA-event timings, warm-up, 3 trials, the median
// of per-trial means; PCIe rows use the host wall clock around synchronized copies.
#pragma once

#include <cuda_runtime.h>
#include <cublasLt.h>

#include "shapes.hpp"

#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mb {

// Thrown by the CK_* macros; every measurement catches it, records nan where the schema has a
// value, and goes on with the next measurement.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void fail_cuda(cudaError_t e, const char* call, const char* file, int line);
void fail_cublas(cublasStatus_t s, const char* call, const char* file, int line);

#define CK_CUDA(call)                                             \
  do {                                                            \
    cudaError_t ck_e_ = (call);                                   \
    if (ck_e_ != cudaSuccess) ::mb::fail_cuda(ck_e_, #call, __FILE__, __LINE__); \
  } while (0)
#define CK_LT(call)                                               \
  do {                                                            \
    cublasStatus_t ck_s_ = (call);                                \
    if (ck_s_ != CUBLAS_STATUS_SUCCESS) ::mb::fail_cublas(ck_s_, #call, __FILE__, __LINE__); \
  } while (0)
// For clean-up paths: report, never throw.
#define CK_WARN(call)                                             \
  do {                                                            \
    cudaError_t ck_e_ = (call);                                   \
    if (ck_e_ != cudaSuccess)                                     \
      std::fprintf(stderr, "dssim-microbench: warning: %s failed: %s (%s:%d)\n", #call, \
                   cudaGetErrorString(ck_e_), __FILE__, __LINE__); \
  } while (0)

// Run options shared by the sections.
struct Options {
  std::string out_dir;
  std::string model_shapes;  // extra `layer,N,K` rows
  bool quick = false;
  std::vector<std::string> sections;
  int device = 0;
};

double now_epoch();       // seconds since 1970 (UTC), wall clock
double since_start();     // seconds since the program started
void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));  // stderr + probe_log.txt
void open_log(const std::string& path);
void close_log();

// A CSV file written row by row and flushed after every row (a crash keeps what was measured).
class Csv {
 public:
  Csv(const std::string& path, const std::string& header);
  ~Csv();
  Csv(const Csv&) = delete;
  Csv& operator=(const Csv&) = delete;
  void row(const std::string& line);
  bool ok() const { return f_ != nullptr; }

 private:
  std::FILE* f_ = nullptr;
};

std::string fmt_g9(double v);  // like Python f"{v:.9g}" (nan -> "nan")
std::string fmt_g6(double v);  // like Python f"{v:.6g}"

// Median over `trials` of the mean seconds per call of `reps` back-to-back calls, after `warm`
// calls; device events on `stream` (or the host wall clock around a synchronized run when wall).
double time_fn(const std::function<void()>& fn, int reps, int trials = 3, int warm = 3,
               bool wall = false, cudaStream_t stream = nullptr);
// Repetitions so that one trial lasts about target_s (one timed call, clamped to [3, cap]).
int adaptive_reps(const std::function<void()>& fn, double target_s = 0.03, int cap = 200);

// Device buffer that frees itself; allocation failure throws Failure.
class DevBuf {
 public:
  DevBuf() = default;
  explicit DevBuf(size_t bytes);
  ~DevBuf();
  DevBuf(DevBuf&& o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr; o.n_ = 0; }
  DevBuf& operator=(DevBuf&& o) noexcept;
  DevBuf(const DevBuf&) = delete;
  DevBuf& operator=(const DevBuf&) = delete;
  void* get() const { return p_; }
  size_t size() const { return n_; }
  template <class T> T* as() const { return static_cast<T*>(p_); }

 private:
  void* p_ = nullptr;
  size_t n_ = 0;
};

// Fill a buffer with small pseudo-random values of the given kind (no NaN/Inf patterns).
enum class Fill { bf16, fp16, fp32, int8, fp8e4m3, bytes };
void fill_random(void* p, size_t count, Fill kind, unsigned seed, cudaStream_t s = nullptr);

// Sections (each catches its own failures).

void run_bandwidth(const Options& o, Csv& bw);
void run_pcie(const Options& o, Csv& bw);
void run_p2p(const Options& o, Csv& bw);
void run_gemm(const Options& o, const std::vector<Shape>& shapes);
void run_attention(const Options& o);
void run_elementwise(const Options& o);
void run_power(const Options& o);

// A cuBLASLt GEMM C[M,N] = A[M,K] * W[K,N] of one dtype, with `copies` rotated weight matrices.
// The constructor allocates the weights; plan(M) allocates A and C and asks cuBLASLt for an
// algorithm (false: none for this shape, the row is nan).
class LtGemm {
 public:
  LtGemm(cublasLtHandle_t lt, const std::string& dtype, long long n, long long k, int copies,
         cudaStream_t stream);
  ~LtGemm();
  LtGemm(const LtGemm&) = delete;
  LtGemm& operator=(const LtGemm&) = delete;
  bool plan(long long m);
  void run();  // one GEMM on the next weight copy
  static int esize(const std::string& dtype);
  static int out_size(const std::string& dtype);

 private:
  void release_layouts();
  cublasLtHandle_t lt_;
  cudaStream_t stream_;
  std::string dtype_;
  long long m_ = 0, n_, k_;
  DevBuf a_, c_, ws_, scale_;
  std::vector<DevBuf> w_;
  int next_ = 0;
  cublasLtMatmulDesc_t op_ = nullptr;
  cublasLtMatrixLayout_t la_ = nullptr, lb_ = nullptr, lc_ = nullptr;
  cublasLtMatmulAlgo_t algo_{};
  bool algo_found_ = false;
  float alpha_f_ = 1.f, beta_f_ = 0.f;
  int alpha_i_ = 1, beta_i_ = 0;
};

}  // namespace mb
