// dssim CUDA microbenchmarks: the element-wise kernels of an eager decoder's forward (elementwise.csv).
//
// Why: dssim prices element-wise ops at the rate of large contiguous copies (bandwidth.csv), yet the
// released eager prefills of DeepSeek-LLM-7B (validation/data/h200/e2e_7b.csv) run 12-16 % slower than
// dssim says, about 3.7 us per token, and the suspects are the element-wise ops of the reference decoder
// that read strided views: RoPE on the q/k slices of the fused QKV output (and its broadcast cos/sin),
// SiLU x up on the two halves of the gate/up output, the copy of v into the KV cache. PyTorch runs an
// op whose operands are all contiguous through a vectorized kernel (16-byte loads), and any other op
// through a generic kernel that computes every operand's offset from the linear index, dimension by
// dimension, with an integer divider (TensorIterator's OffsetCalculator), one element at a time.
// These kernels reproduce both paths on the shapes the 7B's forward has, so the rate of each class can
// be read off, beside the copy rate:
//   contig_add        a + b, [T, 4096], all contiguous: the vectorized path (the residual adds)
//   rope_mul_cos      q * cos: q a [T, 32, 128] view of the [T, 12288] QKV output, cos [T, 128]
//                     broadcast over heads, output contiguous: 3 dims, strided + broadcast
//   rope_neg_half     -q[..., 64:]: a half-width view of q, output contiguous: 3 dims, strided
//   silu_mul_halves   silu(g) * u, g and u the two halves of the [T, 22016] gate/up output: 2 dims
//   strided_copy_v    v (a [T, 32, 128] view of QKV) copied contiguous: the KV-cache write, 2 dims
// Columns: kind,tokens,elements,bytes,seconds,GBps (bytes: every operand read once and the output
// written once; a broadcast operand counted at its own size). Median of 3 trials, as every section.
#include "common.hpp"

#include <cuda_bf16.h>

#include <cstdint>

namespace mb {

namespace {

constexpr int kHidden = 4096, kHeads = 32, kHeadDim = 128, kInter = 11008;
constexpr int kThreads = 128, kUnroll = 4;  // PyTorch's generic elementwise launch: 128 threads x 4

// TensorIterator's IntDivider: n / d and n % d with a multiply-high and a shift.
struct Divider {
  uint32_t d = 1, m = 0, s = 0;
  Divider() = default;
  explicit Divider(uint32_t div) : d(div) {
    for (s = 0; s < 32; ++s)
      if ((1u << s) >= d) break;
    const uint64_t one = 1;
    m = static_cast<uint32_t>(((one << 32) * ((one << s) - d)) / d + 1);
  }
  __device__ void divmod(uint32_t n, uint32_t& q, uint32_t& r) const {
    const uint32_t t = __umulhi(n, m);
    q = (t + n) >> s;
    r = n - q * d;
  }
};

// Up to 3 dimensions (innermost first) and 3 operands (0: the output), strides in elements.
struct Offsets {
  int dims = 1;
  Divider size[3];
  uint32_t stride[3][3] = {};
  __device__ void of(uint32_t linear, uint32_t* off) const {
    off[0] = off[1] = off[2] = 0;
#pragma unroll
    for (int d = 0; d < 3; ++d) {
      if (d == dims) break;
      uint32_t q, r;
      size[d].divmod(linear, q, r);
      linear = q;
#pragma unroll
      for (int a = 0; a < 3; ++a) off[a] += r * stride[d][a];
    }
  }
};

enum class Op { mul, neg, silu_mul, copy };

template <Op op>
__device__ __nv_bfloat16 apply(__nv_bfloat16 x, __nv_bfloat16 y) {
  const float a = __bfloat162float(x), b = __bfloat162float(y);
  if constexpr (op == Op::mul) return __float2bfloat16(a * b);
  if constexpr (op == Op::neg) return __float2bfloat16(-a);
  if constexpr (op == Op::silu_mul) return __float2bfloat16(a / (1.f + __expf(-a)) * b);
  return x;
}

// The generic path: each thread takes kUnroll elements kThreads apart, loads them, applies, stores.
template <Op op>
__global__ void generic_kernel(uint32_t n, Offsets o, __nv_bfloat16* __restrict__ out, const __nv_bfloat16* __restrict__ x,
                               const __nv_bfloat16* __restrict__ y) {
  const uint32_t base = blockIdx.x * (kThreads * kUnroll) + threadIdx.x;
  __nv_bfloat16 a[kUnroll], b[kUnroll];
  uint32_t outs[kUnroll];
#pragma unroll
  for (int k = 0; k < kUnroll; ++k) {
    const uint32_t i = base + k * kThreads;
    if (i < n) {
      uint32_t off[3];
      o.of(i, off);
      outs[k] = off[0];
      a[k] = x[off[1]];
      b[k] = y ? y[off[2]] : a[k];
    }
  }
#pragma unroll
  for (int k = 0; k < kUnroll; ++k)
    if (base + k * kThreads < n) out[outs[k]] = apply<op>(a[k], b[k]);
}

// The vectorized path for contiguous operands: 8 bf16 (16 bytes) per load.
__global__ void contig_add_kernel(size_t n8, const uint4* __restrict__ a, const uint4* __restrict__ b, uint4* __restrict__ out) {
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n8; i += stride) {
    uint4 u = a[i], v = b[i], w;
    const __nv_bfloat162* x = reinterpret_cast<const __nv_bfloat162*>(&u);
    const __nv_bfloat162* y = reinterpret_cast<const __nv_bfloat162*>(&v);
    __nv_bfloat162* z = reinterpret_cast<__nv_bfloat162*>(&w);
#pragma unroll
    for (int j = 0; j < 4; ++j) z[j] = __hadd2(x[j], y[j]);
    out[i] = w;
  }
}

std::string row(const char* kind, int tokens, double elements, double bytes, double t) {
  return std::string(kind) + "," + std::to_string(tokens) + "," + fmt_g9(elements) + "," + fmt_g9(bytes) + "," + fmt_g9(t) +
         "," + fmt_g6(bytes / t / 1e9);
}

template <Op op>
void launch(uint32_t n, const Offsets& o, __nv_bfloat16* out, const __nv_bfloat16* x, const __nv_bfloat16* y) {
  const uint32_t blocks = (n + kThreads * kUnroll - 1) / (kThreads * kUnroll);
  generic_kernel<op><<<blocks, kThreads>>>(n, o, out, x, y);
  CK_CUDA(cudaGetLastError());
}

}  // namespace

void run_elementwise(const Options& o) {
  Csv csv(o.out_dir + "/elementwise.csv", "kind,tokens,elements,bytes,seconds,GBps");
  if (!csv.ok()) return;
  std::vector<int> tokens = {512, 2048, 8192};
  if (o.quick) tokens = {2048};
  int sms = 132;
  CK_WARN(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, o.device));
  const int qkv = 3 * kHidden;  // the fused QKV output's row (7B: MHA, 3 x 4096)
  for (int T : tokens) {
    try {
      const size_t e = static_cast<size_t>(T);
      DevBuf qkv_buf(e * qkv * 2), gu(e * 2 * kInter * 2), cosb(e * kHeadDim * 2), a(e * kHidden * 2), b(e * kHidden * 2),
          out(e * 2 * kInter * 2);
      fill_random(qkv_buf.get(), e * qkv, Fill::bf16, 21);
      fill_random(gu.get(), e * 2 * kInter, Fill::bf16, 22);
      fill_random(cosb.get(), e * kHeadDim, Fill::bf16, 23);
      fill_random(a.get(), e * kHidden, Fill::bf16, 24);
      fill_random(b.get(), e * kHidden, Fill::bf16, 25);
      auto* q = qkv_buf.as<__nv_bfloat16>();
      auto* res = out.as<__nv_bfloat16>();
      auto time_it = [&](const char* kind, double elements, double bytes, const std::function<void()>& f) {
        const int reps = adaptive_reps(f);
        const double t = time_fn(f, reps);
        csv.row(row(kind, T, elements, bytes, t));
      };

      const double n_h = static_cast<double>(e) * kHidden;
      time_it("contig_add", n_h, 3 * n_h * 2, [&] {
        const size_t n8 = e * kHidden / 8;
        contig_add_kernel<<<static_cast<unsigned>(sms) * 8u, 256>>>(n8, a.as<const uint4>(), b.as<const uint4>(), out.as<uint4>());
        CK_CUDA(cudaGetLastError());
      });

      // [T, H, D] innermost first: D, H, T. Output contiguous; q strided in QKV; cos broadcast over H.
      Offsets rope;
      rope.dims = 3;
      rope.size[0] = Divider(kHeadDim);
      rope.size[1] = Divider(kHeads);
      rope.size[2] = Divider(static_cast<uint32_t>(T));
      const uint32_t st_out[3] = {1, kHeadDim, kHeads * kHeadDim}, st_q[3] = {1, kHeadDim, static_cast<uint32_t>(qkv)},
                     st_cos[3] = {1, 0, kHeadDim};
      for (int d = 0; d < 3; ++d) {
        rope.stride[d][0] = st_out[d];
        rope.stride[d][1] = st_q[d];
        rope.stride[d][2] = st_cos[d];
      }
      const uint32_t n_q = static_cast<uint32_t>(e * kHeads * kHeadDim);
      time_it("rope_mul_cos", n_q, (2.0 * n_q + static_cast<double>(e) * kHeadDim) * 2,
              [&] { launch<Op::mul>(n_q, rope, res, q, cosb.as<__nv_bfloat16>()); });

      // -q[..., 64:]: D/2 wide, from column 64 of each head; output contiguous [T, H, D/2].
      Offsets half = rope;
      half.size[0] = Divider(kHeadDim / 2);
      half.stride[0][0] = 1;
      half.stride[1][0] = kHeadDim / 2;
      half.stride[2][0] = kHeads * kHeadDim / 2;
      time_it("rope_neg_half", n_q / 2.0, 2.0 * (n_q / 2.0) * 2,
              [&] { launch<Op::neg>(n_q / 2, half, res, q + kHeadDim / 2, nullptr); });

      // silu(g) * u: [T, I] innermost first I, T; g at column 0 and u at column I of the [T, 2I] rows.
      Offsets mlp;
      mlp.dims = 2;
      mlp.size[0] = Divider(kInter);
      mlp.size[1] = Divider(static_cast<uint32_t>(T));
      mlp.stride[0][0] = mlp.stride[0][1] = mlp.stride[0][2] = 1;
      mlp.stride[1][0] = kInter;
      mlp.stride[1][1] = mlp.stride[1][2] = 2 * kInter;
      const uint32_t n_i = static_cast<uint32_t>(e * kInter);
      auto* g = gu.as<__nv_bfloat16>();
      time_it("silu_mul_halves", n_i, 3.0 * n_i * 2, [&] { launch<Op::silu_mul>(n_i, mlp, res, g, g + kInter); });

      // v (columns 2h.. of QKV, heads and dims together contiguous) copied to a contiguous [T, h].
      Offsets cpy;
      cpy.dims = 2;
      cpy.size[0] = Divider(kHidden);
      cpy.size[1] = Divider(static_cast<uint32_t>(T));
      cpy.stride[0][0] = cpy.stride[0][1] = 1;
      cpy.stride[1][0] = kHidden;
      cpy.stride[1][1] = static_cast<uint32_t>(qkv);
      time_it("strided_copy_v", n_q, 2.0 * n_q * 2, [&] { launch<Op::copy>(n_q, cpy, res, q + 2 * kHidden, nullptr); });
      log("elementwise %d tokens done", T);
    } catch (const Failure& ex) {
      log("elementwise fail %d tokens: %s", T, ex.what());
    }
  }
}

}  // namespace mb
