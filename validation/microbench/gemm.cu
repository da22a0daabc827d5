// dssim CUDA microbenchmarks: GEMM sweep through cuBLASLt (gemm.csv).
//
// C[M,N] = A[M,K] . W[K,N], row-major in the usual sense. cuBLASLt is column-major, so the call
// computes C^T[N,M] = op(W) . A^T, with the activation A given as a column-major K x M matrix
// (= row-major [M,K], leading dimension K) and C as column-major N x M (= row-major [M,N]).
//  - bf16, fp16, tf32, fp32: W stored row-major [K,N] (as `A @ W` in probe.py): "NN".
//  - fp8 (e4m3 in, bf16 out) and int8 (int32 out): Hopper's FP8 and IMMA kernels require the "TN"
//    format, so W is stored row-major [N,K] (nn.Linear layout, probe.py's `W.t()`), transa = T.
// fp8 sets the A/B scale pointers to device scalars 1.0 (as torch._scaled_mm with scale 1).
// Unsupported combinations (no heuristic result, or a failing matmul) are written as nan.
#include "common.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>

namespace mb {

namespace {

struct Types {
  cudaDataType_t ab, c, scale;
  cublasComputeType_t compute;
  bool tn;
  Fill fill;
};

Types types_of(const std::string& dt) {
  if (dt == "bf16") return {CUDA_R_16BF, CUDA_R_16BF, CUDA_R_32F, CUBLAS_COMPUTE_32F, false, Fill::bf16};
  if (dt == "fp16") return {CUDA_R_16F, CUDA_R_16F, CUDA_R_32F, CUBLAS_COMPUTE_32F, false, Fill::fp16};
  if (dt == "tf32")
    return {CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, false, Fill::fp32};
  if (dt == "fp32") return {CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, false, Fill::fp32};
  if (dt == "fp8")
    return {CUDA_R_8F_E4M3, CUDA_R_16BF, CUDA_R_32F, CUBLAS_COMPUTE_32F, true, Fill::fp8e4m3};
  if (dt == "int8") return {CUDA_R_8I, CUDA_R_32I, CUDA_R_32I, CUBLAS_COMPUTE_32I, true, Fill::int8};
  throw Failure("unknown dtype " + dt);
}

constexpr size_t kWorkspace = 32u << 20;

}  // namespace

int LtGemm::esize(const std::string& dt) {
  if (dt == "bf16" || dt == "fp16") return 2;
  if (dt == "fp32" || dt == "tf32") return 4;
  return 1;  // int8, fp8
}

// As probe.py: 4 bytes for int8 (int32 out), tf32 and fp32; 2 bytes otherwise (fp8 writes bf16).
int LtGemm::out_size(const std::string& dt) {
  if (dt == "int8" || dt == "tf32" || dt == "fp32") return 4;
  return 2;
}

LtGemm::LtGemm(cublasLtHandle_t lt, const std::string& dtype, long long n, long long k, int copies,
               cudaStream_t stream)
    : lt_(lt), stream_(stream), dtype_(dtype), n_(n), k_(k) {
  const Types t = types_of(dtype);
  const size_t es = static_cast<size_t>(esize(dtype));
  const size_t wcount = static_cast<size_t>(n) * static_cast<size_t>(k);
  for (int i = 0; i < copies; ++i) {
    w_.emplace_back(wcount * es);
    fill_random(w_.back().get(), wcount, t.fill, 1000u + static_cast<unsigned>(i), stream);
  }
  ws_ = DevBuf(kWorkspace);
  scale_ = DevBuf(sizeof(float));
  const float one = 1.0f;
  CK_CUDA(cudaMemcpyAsync(scale_.get(), &one, sizeof one, cudaMemcpyHostToDevice, stream));
  CK_CUDA(cudaStreamSynchronize(stream));
  CK_LT(cublasLtMatmulDescCreate(&op_, t.compute, t.scale));
  cublasOperation_t ta = t.tn ? CUBLAS_OP_T : CUBLAS_OP_N, tb = CUBLAS_OP_N;
  try {
    CK_LT(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta));
    CK_LT(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb));
    if (dtype == "fp8") {
      const void* sp = scale_.get();
      CK_LT(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &sp, sizeof sp));
      CK_LT(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &sp, sizeof sp));
    }
    if (t.tn)  // W: column-major K x N (= row-major [N,K]), op T
      CK_LT(cublasLtMatrixLayoutCreate(&la_, t.ab, static_cast<uint64_t>(k), static_cast<uint64_t>(n), k));
    else  // W: column-major N x K (= row-major [K,N]), op N
      CK_LT(cublasLtMatrixLayoutCreate(&la_, t.ab, static_cast<uint64_t>(n), static_cast<uint64_t>(k), n));
  } catch (...) {
    release_layouts();
    throw;
  }
}

void LtGemm::release_layouts() {
  if (lc_) cublasLtMatrixLayoutDestroy(lc_);
  if (lb_) cublasLtMatrixLayoutDestroy(lb_);
  if (la_) cublasLtMatrixLayoutDestroy(la_);
  if (op_) cublasLtMatmulDescDestroy(op_);
  lc_ = lb_ = la_ = nullptr;
  op_ = nullptr;
}

LtGemm::~LtGemm() { release_layouts(); }

bool LtGemm::plan(long long m) {
  const Types t = types_of(dtype_);
  algo_found_ = false;
  m_ = m;
  if (lb_) cublasLtMatrixLayoutDestroy(lb_);
  if (lc_) cublasLtMatrixLayoutDestroy(lc_);
  lb_ = lc_ = nullptr;
  a_ = DevBuf();
  c_ = DevBuf();
  const size_t acount = static_cast<size_t>(m) * static_cast<size_t>(k_);
  const size_t ccount = static_cast<size_t>(m) * static_cast<size_t>(n_);
  a_ = DevBuf(acount * static_cast<size_t>(esize(dtype_)));
  fill_random(a_.get(), acount, t.fill, 7u, stream_);
  c_ = DevBuf(ccount * static_cast<size_t>(out_size(dtype_)));
  CK_CUDA(cudaStreamSynchronize(stream_));
  // activation: column-major K x M (= row-major [M,K]); output: column-major N x M (= row-major [M,N])
  CK_LT(cublasLtMatrixLayoutCreate(&lb_, t.ab, static_cast<uint64_t>(k_), static_cast<uint64_t>(m), k_));
  CK_LT(cublasLtMatrixLayoutCreate(&lc_, t.c, static_cast<uint64_t>(n_), static_cast<uint64_t>(m), n_));

  cublasLtMatmulPreference_t pref = nullptr;
  CK_LT(cublasLtMatmulPreferenceCreate(&pref));
  size_t wsb = kWorkspace;
  cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &wsb, sizeof wsb);
  cublasLtMatmulHeuristicResult_t res{};
  int found = 0;
  cublasStatus_t st = cublasLtMatmulAlgoGetHeuristic(lt_, op_, la_, lb_, lc_, lc_, pref, 1, &res, &found);
  cublasLtMatmulPreferenceDestroy(pref);
  if (st == CUBLAS_STATUS_SUCCESS && found > 0 && res.state == CUBLAS_STATUS_SUCCESS) {
    algo_ = res.algo;
    algo_found_ = true;
  } else {
    std::fprintf(stderr, "dssim-microbench: cuBLASLt has no algorithm for %s M=%lld N=%lld K=%lld (status %d)\n",
                 dtype_.c_str(), m, n_, k_, static_cast<int>(st));
  }
  return algo_found_;
}

void LtGemm::run() {
  if (!algo_found_) throw Failure("LtGemm::run without a plan");
  next_ = (next_ + 1) % static_cast<int>(w_.size());
  const bool integer = dtype_ == "int8";
  const void* alpha = integer ? static_cast<const void*>(&alpha_i_) : static_cast<const void*>(&alpha_f_);
  const void* beta = integer ? static_cast<const void*>(&beta_i_) : static_cast<const void*>(&beta_f_);
  CK_LT(cublasLtMatmul(lt_, op_, alpha, w_[static_cast<size_t>(next_)].get(), la_, a_.get(), lb_, beta,
                       c_.get(), lc_, c_.get(), lc_, &algo_, ws_.get(), kWorkspace, stream_));
}

void run_gemm(const Options& o, const std::vector<Shape>& shapes) {
  Csv w(o.out_dir + "/gemm.csv", "dtype,layer,M,N,K,seconds,TFLOPs,GBps");
  std::vector<long long> Ms;
  if (o.quick)
    Ms = {1, 16, 128, 1024, 8192};
  else
    for (long long m = 1; m <= 8192; m *= 2) Ms.push_back(m);
  const std::vector<std::string> dtypes = {"bf16", "fp16", "fp8", "int8", "tf32", "fp32"};
  const double cap = o.quick ? 40.0 : 150.0;  // seconds for the whole section
  const double t_begin = since_start();

  cublasLtHandle_t lt = nullptr;
  CK_LT(cublasLtCreate(&lt));
  cudaStream_t stream = nullptr;
  CK_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));

  for (size_t di = 0; di < dtypes.size(); ++di) {
    const std::string& dt = dtypes[di];
    // Each dtype gets an equal share of what is left, so a slow dtype cannot starve the others.
    const double t_dtype = since_start();
    const double share = (cap - (t_dtype - t_begin)) / static_cast<double>(dtypes.size() - di);
    for (const Shape& s : shapes) {
      if (s.layer == "7b_lm_head" && dt != "bf16") continue;  // as probe.py
      if (since_start() - t_dtype > share) {
        log("gemm: stopping %s early for budget at %s", dt.c_str(), s.layer.c_str());
        break;
      }
      const double wbytes = static_cast<double>(s.n) * static_cast<double>(s.k) * LtGemm::esize(dt);
      const int ncopy = static_cast<int>(std::max(1.0, std::min(8.0, std::ceil(256e6 / wbytes))));
      std::unique_ptr<LtGemm> g;
      try {
        g = std::make_unique<LtGemm>(lt, dt, s.n, s.k, ncopy, stream);
      } catch (const Failure& ex) {
        log("gemm alloc fail %s %s: %s", dt.c_str(), s.layer.c_str(), ex.what());
        continue;  // as probe.py: no rows for a shape whose weights cannot be allocated
      }
      for (long long M : Ms) {
        double t = std::nan("");
        try {
          if (g->plan(M)) {
            auto f = [&] { g->run(); };
            int reps = adaptive_reps(f, 0.02);
            t = time_fn(f, reps, 3, 2, false, stream);
          }
        } catch (const Failure& ex) {
          log("gemm fail %s %s M=%lld: %s", dt.c_str(), s.layer.c_str(), M, ex.what());
          t = std::nan("");
        }
        const double flops = 2.0 * static_cast<double>(M) * static_cast<double>(s.n) * static_cast<double>(s.k);
        const double byts = (static_cast<double>(M) * s.k + static_cast<double>(s.k) * s.n) * LtGemm::esize(dt) +
                            static_cast<double>(M) * s.n * LtGemm::out_size(dt);
        w.row(dt + "," + s.layer + "," + std::to_string(M) + "," + std::to_string(s.n) + "," +
              std::to_string(s.k) + "," + fmt_g9(t) + "," + fmt_g6(flops / t / 1e12) + "," +
              fmt_g6(byts / t / 1e9));
      }
      log("gemm %s %s done", dt.c_str(), s.layer.c_str());
    }
  }
  CK_WARN(cudaStreamDestroy(stream));
  cublasLtDestroy(lt);
}

}  // namespace mb
