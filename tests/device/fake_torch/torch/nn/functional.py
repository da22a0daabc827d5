"""Shape-only torch.nn.functional: the calls the device scripts make (see torch/__init__.py)."""
from .. import Tensor, _broadcast


def silu(x):
    return Tensor(x.shape, x.dtype, x.device)


def rms_norm(x, normalized_shape, weight=None, eps=None):
    if tuple(x.shape[-len(normalized_shape):]) != tuple(normalized_shape):
        raise RuntimeError(f"rms_norm over {normalized_shape} of {x.shape}")
    if weight is not None and tuple(weight.shape) != tuple(normalized_shape):
        raise RuntimeError(f"rms_norm weight {weight.shape} for {normalized_shape}")
    return Tensor(x.shape, x.dtype, x.device)


def scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    if q.dim() != 4 or k.dim() != 4 or v.dim() != 4:
        raise RuntimeError("sdpa: 4-D (batch, heads, length, head_dim) tensors expected")
    if k.shape != v.shape or q.shape[-1] != k.shape[-1] or q.shape[0] != k.shape[0]:
        raise RuntimeError(f"sdpa: q {q.shape}, k {k.shape}, v {v.shape}")
    hq, hk = q.shape[1], k.shape[1]
    if hq != hk and not (enable_gqa and hq % hk == 0):
        raise RuntimeError(f"sdpa: {hq} query heads and {hk} KV heads without enable_gqa")
    _broadcast(q.shape[:1], k.shape[:1])
    return Tensor(q.shape[:-1] + v.shape[-1:], q.dtype, q.device)
