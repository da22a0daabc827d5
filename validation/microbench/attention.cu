// dssim CUDA microbenchmarks: attention kernels (attention.csv).
//
// Two plain CUDA-core kernels (no tensor cores, no cuDNN/FlashAttention library), bf16 in, fp32
// accumulate, head_dim 128:
//  - prefill (causal, q_len = kv_len): a simple FlashAttention-style tiled kernel. One block of 256
//    threads per (batch, head, 64-query tile); K/V tiles of 32 keys are staged in shared memory and
//    an online softmax (running max and sum per query row) accumulates O in registers; tiles above
//    the diagonal are skipped and the diagonal tile is masked. Each query row is owned by 4 threads
//    (32 output dims each).
//  - decode (one new token against a KV cache of kv_len): split-KV ("flash-decoding"). One block of
//    4 warps per (batch, head, KV chunk); each warp walks its keys with an online softmax, the warps
//    are merged in shared memory, a second kernel merges the chunks and writes the bf16 output.
// GQA: query head h reads KV head h / (heads / kv_heads). Correctness is not measured, but both
// kernels read every K/V element they are charged for, compute the softmax and write the output.
// These kernels are far from a tuned FlashAttention on tensor cores: prefill rows are a
// lower bound of what the GPU can do; decode rows are memory-bound and closer to the library's.
#include "common.hpp"

#include <cuda_bf16.h>

#include <cmath>
#include <memory>

namespace mb {

namespace {

constexpr int D = 128;
constexpr int BQ = 64, BK = 32, PREFILL_THREADS = 256, PAD = 8;
constexpr float kLog2e = 1.4426950408889634f;

__device__ __forceinline__ float2 bf2f(__nv_bfloat162 v) { return __bfloat1622float2(v); }

__global__ void __launch_bounds__(PREFILL_THREADS)
prefill_causal(const __nv_bfloat16* __restrict__ q, const __nv_bfloat16* __restrict__ k,
               const __nv_bfloat16* __restrict__ v, __nv_bfloat16* __restrict__ o, int H, int Hkv, int S,
               float scale_log2) {
  __shared__ __align__(16) __nv_bfloat16 Qs[BQ][D + PAD];
  __shared__ __align__(16) __nv_bfloat16 Ks[BK][D + PAD];
  __shared__ __align__(16) __nv_bfloat16 Vs[BK][D];
  __shared__ float Ps[BQ][BK + 1];

  const int qtile = static_cast<int>(gridDim.x) - 1 - static_cast<int>(blockIdx.x);  // heavy tiles first
  const int h = blockIdx.y, b = blockIdx.z, tid = threadIdx.x;
  const int kvh = h / (H / Hkv);
  const int q0 = qtile * BQ;
  const size_t qbase = ((static_cast<size_t>(b) * H + h) * S) * D;
  const size_t kbase = ((static_cast<size_t>(b) * Hkv + kvh) * S) * D;

  // Q tile -> shared (16-byte vectors).
  for (int i = tid; i < BQ * D / 8; i += PREFILL_THREADS) {
    int r = i / (D / 8), c = (i % (D / 8)) * 8;
    int qi = min(q0 + r, S - 1);
    *reinterpret_cast<uint4*>(&Qs[r][c]) = *reinterpret_cast<const uint4*>(q + qbase + static_cast<size_t>(qi) * D + c);
  }

  const int r = tid / 4, part = tid % 4;  // row of this thread, quarter of the row's keys/dims
  const int qidx = q0 + r;
  float acc[32];
#pragma unroll
  for (int i = 0; i < 32; ++i) acc[i] = 0.f;
  float m = -INFINITY, l = 0.f;

  const int last_key = min(q0 + BQ - 1, S - 1);
  const int ntiles = last_key / BK + 1;
  for (int kt = 0; kt < ntiles; ++kt) {
    const int k0 = kt * BK;
    __syncthreads();  // previous tile fully consumed (and Q tile stored, first time)
    for (int i = tid; i < BK * D / 8; i += PREFILL_THREADS) {
      int rr = i / (D / 8), c = (i % (D / 8)) * 8;
      size_t off = kbase + static_cast<size_t>(min(k0 + rr, S - 1)) * D + c;
      *reinterpret_cast<uint4*>(&Ks[rr][c]) = *reinterpret_cast<const uint4*>(k + off);
      *reinterpret_cast<uint4*>(&Vs[rr][c]) = *reinterpret_cast<const uint4*>(v + off);
    }
    __syncthreads();

    // scores for keys part, part+4, ..., part+28 of this tile
    float s[BK / 4];
#pragma unroll
    for (int j = 0; j < BK / 4; ++j) s[j] = 0.f;
#pragma unroll 4
    for (int d = 0; d < D; d += 2) {
      float2 qv = bf2f(*reinterpret_cast<const __nv_bfloat162*>(&Qs[r][d]));
#pragma unroll
      for (int j = 0; j < BK / 4; ++j) {
        float2 kv = bf2f(*reinterpret_cast<const __nv_bfloat162*>(&Ks[part + 4 * j][d]));
        s[j] = fmaf(qv.x, kv.x, fmaf(qv.y, kv.y, s[j]));
      }
    }
    float tmax = -INFINITY;
#pragma unroll
    for (int j = 0; j < BK / 4; ++j) {
      int key = k0 + part + 4 * j;
      s[j] = (key <= qidx && key < S) ? s[j] * scale_log2 : -INFINITY;
      tmax = fmaxf(tmax, s[j]);
    }
    tmax = fmaxf(tmax, __shfl_xor_sync(0xffffffffu, tmax, 1));
    tmax = fmaxf(tmax, __shfl_xor_sync(0xffffffffu, tmax, 2));
    const float mnew = fmaxf(m, tmax);  // finite: key 0 is visible to every row
    const float corr = exp2f(m - mnew);
    float psum = 0.f;
#pragma unroll
    for (int j = 0; j < BK / 4; ++j) {
      float p = exp2f(s[j] - mnew);
      psum += p;
      Ps[r][part + 4 * j] = p;
    }
    psum += __shfl_xor_sync(0xffffffffu, psum, 1);
    psum += __shfl_xor_sync(0xffffffffu, psum, 2);
    l = l * corr + psum;
    m = mnew;
#pragma unroll
    for (int i = 0; i < 32; ++i) acc[i] *= corr;
    __syncwarp();  // the row's 4 threads share one warp
#pragma unroll 4
    for (int c = 0; c < BK; ++c) {
      const float p = Ps[r][c];
#pragma unroll
      for (int i = 0; i < 32; i += 2) {
        float2 vv = bf2f(*reinterpret_cast<const __nv_bfloat162*>(&Vs[c][part * 32 + i]));
        acc[i] = fmaf(p, vv.x, acc[i]);
        acc[i + 1] = fmaf(p, vv.y, acc[i + 1]);
      }
    }
  }
  if (qidx < S) {
    const float inv = 1.f / l;
    __nv_bfloat16* out = o + qbase + static_cast<size_t>(qidx) * D + part * 32;
#pragma unroll
    for (int i = 0; i < 32; i += 2)
      *reinterpret_cast<__nv_bfloat162*>(out + i) = __floats2bfloat162_rn(acc[i] * inv, acc[i + 1] * inv);
  }
}

constexpr int DEC_WARPS = 4;

// partial: per (b, h, split) D floats of unnormalized output, then max (log2 domain) and sum.
__global__ void __launch_bounds__(DEC_WARPS * 32)
decode_split(const __nv_bfloat16* __restrict__ q, const __nv_bfloat16* __restrict__ k,
             const __nv_bfloat16* __restrict__ v, float* __restrict__ partial, int H, int Hkv, int C,
             int keys_per_split, float scale_log2) {
  __shared__ float wo[DEC_WARPS][D];
  __shared__ float wm[DEC_WARPS], wl[DEC_WARPS];
  const int split = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
  const int nsplit = gridDim.x;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int kvh = h / (H / Hkv);
  const __nv_bfloat16* qp = q + (static_cast<size_t>(b) * H + h) * D + lane * 4;
  float qv[4];
  {
    float2 a = bf2f(*reinterpret_cast<const __nv_bfloat162*>(qp));
    float2 c = bf2f(*reinterpret_cast<const __nv_bfloat162*>(qp + 2));
    qv[0] = a.x * scale_log2; qv[1] = a.y * scale_log2; qv[2] = c.x * scale_log2; qv[3] = c.y * scale_log2;
  }
  const size_t kvbase = ((static_cast<size_t>(b) * Hkv + kvh) * C) * D + lane * 4;
  const int kbeg = split * keys_per_split, kend = min(C, kbeg + keys_per_split);
  float m = -INFINITY, l = 0.f, o[4] = {0.f, 0.f, 0.f, 0.f};
  constexpr int U = 4;  // keys in flight per warp
  for (int base = kbeg + warp * U; base < kend; base += DEC_WARPS * U) {
    uint2 kr[U], vr[U];
#pragma unroll
    for (int u = 0; u < U; ++u) {
      int key = min(base + u, kend - 1);
      kr[u] = *reinterpret_cast<const uint2*>(k + kvbase + static_cast<size_t>(key) * D);
      vr[u] = *reinterpret_cast<const uint2*>(v + kvbase + static_cast<size_t>(key) * D);
    }
    float s[U];
#pragma unroll
    for (int u = 0; u < U; ++u) {
      float2 a = bf2f(*reinterpret_cast<const __nv_bfloat162*>(&kr[u].x));
      float2 c = bf2f(*reinterpret_cast<const __nv_bfloat162*>(&kr[u].y));
      s[u] = qv[0] * a.x + qv[1] * a.y + qv[2] * c.x + qv[3] * c.y;
    }
#pragma unroll
    for (int off = 16; off > 0; off >>= 1)
#pragma unroll
      for (int u = 0; u < U; ++u) s[u] += __shfl_xor_sync(0xffffffffu, s[u], off);
    float mx = m;
#pragma unroll
    for (int u = 0; u < U; ++u) {
      if (base + u >= kend) s[u] = -INFINITY;
      mx = fmaxf(mx, s[u]);
    }
    const float corr = exp2f(m - mx);
    l *= corr;
#pragma unroll
    for (int i = 0; i < 4; ++i) o[i] *= corr;
#pragma unroll
    for (int u = 0; u < U; ++u) {
      const float p = exp2f(s[u] - mx);
      float2 a = bf2f(*reinterpret_cast<const __nv_bfloat162*>(&vr[u].x));
      float2 c = bf2f(*reinterpret_cast<const __nv_bfloat162*>(&vr[u].y));
      l += p;
      o[0] = fmaf(p, a.x, o[0]); o[1] = fmaf(p, a.y, o[1]);
      o[2] = fmaf(p, c.x, o[2]); o[3] = fmaf(p, c.y, o[3]);
    }
    m = mx;
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) wo[warp][lane * 4 + i] = o[i];
  if (lane == 0) { wm[warp] = m; wl[warp] = l; }
  __syncthreads();
  const int d = threadIdx.x;  // 128 threads = D dims
  float M = -INFINITY;
#pragma unroll
  for (int w = 0; w < DEC_WARPS; ++w) M = fmaxf(M, wm[w]);
  float L = 0.f, O = 0.f;
#pragma unroll
  for (int w = 0; w < DEC_WARPS; ++w) {
    const float f = (wm[w] == -INFINITY) ? 0.f : exp2f(wm[w] - M);
    L += wl[w] * f;
    O += wo[w][d] * f;
  }
  float* pp = partial + ((static_cast<size_t>(b) * H + h) * nsplit + split) * (D + 2);
  pp[d] = O;
  if (d == 0) { pp[D] = M; pp[D + 1] = L; }
}

__global__ void decode_merge(const float* __restrict__ partial, __nv_bfloat16* __restrict__ out, int H,
                             int nsplit) {
  const int h = blockIdx.x, b = blockIdx.y, d = threadIdx.x;
  const float* pp = partial + (static_cast<size_t>(b) * H + h) * nsplit * (D + 2);
  float M = -INFINITY;
  for (int s = 0; s < nsplit; ++s) M = fmaxf(M, pp[s * (D + 2) + D]);
  float L = 0.f, O = 0.f;
  for (int s = 0; s < nsplit; ++s) {
    const float ms = pp[s * (D + 2) + D];
    const float f = (ms == -INFINITY) ? 0.f : exp2f(ms - M);
    L += pp[s * (D + 2) + D + 1] * f;
    O += pp[s * (D + 2) + d] * f;
  }
  out[(static_cast<size_t>(b) * H + h) * D + d] = __float2bfloat16(O / L);
}

struct Model {
  const char* name;
  int H, Hkv, Dh;
};

}  // namespace

void run_attention(const Options& o) {
  Csv w(o.out_dir + "/attention.csv",
        "model,phase,batch,q_len,kv_len,heads,kv_heads,head_dim,seconds,TFLOPs,GBps");
  const Model models[] = {{"7b", 32, 32, D}, {"33b", 56, 8, D}};
  std::vector<std::pair<int, int>> prefill = {{1, 512}, {1, 2048}, {1, 8192}, {8, 512}, {32, 512}, {4, 4096}};
  std::vector<std::pair<int, int>> decode = {{1, 512},  {1, 2048},  {1, 8192},   {8, 2048},  {32, 512},
                                             {32, 2048}, {128, 512}, {128, 2048}, {64, 8192}};
  if (o.quick) {
    prefill = {{1, 512}, {1, 2048}, {8, 512}};
    decode = {{1, 512}, {1, 8192}, {32, 2048}};
  }
  const double cap = o.quick ? 15.0 : 45.0;
  const double t_begin = since_start();
  const float scale_log2 = kLog2e / std::sqrt(static_cast<float>(D));
  cudaStream_t st = nullptr;  // legacy default stream: kernels and events on it
  auto over = [&] { return since_start() - t_begin > cap; };

  for (const Model& mdl : models) {
    const int H = mdl.H, Hkv = mdl.Hkv;
    for (const auto& bs : prefill) {
      const int B = bs.first, S = bs.second;
      if (over()) { log("attention: stopping early for budget"); return; }
      double t = std::nan("");
      try {
        const size_t nq = static_cast<size_t>(B) * H * S * D, nkv = static_cast<size_t>(B) * Hkv * S * D;
        DevBuf q(nq * 2), k(nkv * 2), v(nkv * 2), out(nq * 2);
        fill_random(q.get(), nq, Fill::bf16, 1);
        fill_random(k.get(), nkv, Fill::bf16, 2);
        fill_random(v.get(), nkv, Fill::bf16, 3);
        dim3 grid(static_cast<unsigned>((S + BQ - 1) / BQ), static_cast<unsigned>(H), static_cast<unsigned>(B));
        auto f = [&] {
          prefill_causal<<<grid, PREFILL_THREADS, 0, st>>>(q.as<__nv_bfloat16>(), k.as<__nv_bfloat16>(),
                                                           v.as<__nv_bfloat16>(), out.as<__nv_bfloat16>(), H,
                                                           Hkv, S, scale_log2);
          CK_CUDA(cudaGetLastError());
        };
        t = time_fn(f, adaptive_reps(f), 3, 3, false, st);
      } catch (const Failure& ex) {
        log("attention fail %s prefill B=%d S=%d: %s", mdl.name, B, S, ex.what());
      }
      const double flops = 4.0 * B * H * static_cast<double>(S) * S * D / 2;  // causal
      const double byts = 2.0 * B * Hkv * S * D * 2 + 2.0 * B * H * S * D * 2;
      w.row(std::string(mdl.name) + ",prefill," + std::to_string(B) + "," + std::to_string(S) + "," +
            std::to_string(S) + "," + std::to_string(H) + "," + std::to_string(Hkv) + "," + std::to_string(D) +
            "," + fmt_g9(t) + "," + fmt_g6(flops / t / 1e12) + "," + fmt_g6(byts / t / 1e9));
      log("attention %s prefill B=%d S=%d: %.3g s", mdl.name, B, S, t);
    }
    for (const auto& bc : decode) {
      const int B = bc.first, C = bc.second;
      if (over()) { log("attention: stopping early for budget"); return; }
      double t = std::nan("");
      try {
        const size_t nq = static_cast<size_t>(B) * H * D, nkv = static_cast<size_t>(B) * Hkv * C * D;
        // Chunk size: the largest of 256/128/64 keys that still gives >= 1024 blocks.
        int kps = 256;
        while (kps > 64 && static_cast<long long>(B) * H * ((C + kps - 1) / kps) < 1024) kps /= 2;
        const int nsplit = (C + kps - 1) / kps;
        DevBuf q(nq * 2), k(nkv * 2), v(nkv * 2), out(nq * 2),
            part(static_cast<size_t>(B) * H * nsplit * (D + 2) * sizeof(float));
        fill_random(q.get(), nq, Fill::bf16, 1);
        fill_random(k.get(), nkv, Fill::bf16, 2);
        fill_random(v.get(), nkv, Fill::bf16, 3);
        dim3 g1(static_cast<unsigned>(nsplit), static_cast<unsigned>(H), static_cast<unsigned>(B));
        dim3 g2(static_cast<unsigned>(H), static_cast<unsigned>(B));
        auto f = [&] {
          decode_split<<<g1, DEC_WARPS * 32, 0, st>>>(q.as<__nv_bfloat16>(), k.as<__nv_bfloat16>(),
                                                      v.as<__nv_bfloat16>(), part.as<float>(), H, Hkv, C, kps,
                                                      scale_log2);
          decode_merge<<<g2, D, 0, st>>>(part.as<float>(), out.as<__nv_bfloat16>(), H, nsplit);
          CK_CUDA(cudaGetLastError());
        };
        t = time_fn(f, adaptive_reps(f), 3, 3, false, st);
      } catch (const Failure& ex) {
        log("attention fail %s decode B=%d C=%d: %s", mdl.name, B, C, ex.what());
      }
      const double flops = 4.0 * B * H * static_cast<double>(C) * D;
      const double kvbytes = 2.0 * B * Hkv * static_cast<double>(C) * D * 2;
      w.row(std::string(mdl.name) + ",decode," + std::to_string(B) + ",1," + std::to_string(C) + "," +
            std::to_string(H) + "," + std::to_string(Hkv) + "," + std::to_string(D) + "," + fmt_g9(t) + "," +
            fmt_g6(flops / t / 1e12) + "," + fmt_g6(kvbytes / t / 1e9));
      log("attention %s decode B=%d C=%d: %.3g s", mdl.name, B, C, t);
    }
  }
}

}  // namespace mb
