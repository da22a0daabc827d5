"""A shape-only stand-in for PyTorch, for CI's dry run of validation/device/questions.py.

CI has no GPU and no PyTorch, and the device scripts run only on a rare, short GPU loan: a wrong name,
a wrong argument or a shape that does not line up would only show there. This module tracks shapes and
dtypes (no values) through exactly the calls that questions.py and the H200 probe make on the CPU path
(PROBE_SMALL=1), with PyTorch's rules for broadcasting, matmul, views, slicing and reductions, and
raises where PyTorch would on a shape mismatch. It knows nothing of strides or kernels: what it checks
is the scripts' logic, not PyTorch's behaviour on a GPU.
"""
import contextlib
import math
import time as _time

__version__ = "0.0-fake"


class dtype:
    def __init__(self, name, size, is_float=True):
        self.name, self.itemsize, self.is_floating_point = name, size, is_float

    def __repr__(self):
        return "torch." + self.name


float32 = dtype("float32", 4)
float16 = dtype("float16", 2)
bfloat16 = dtype("bfloat16", 2)
float8_e4m3fn = dtype("float8_e4m3fn", 1)
int8 = dtype("int8", 1, False)
int32 = dtype("int32", 4, False)
int64 = dtype("int64", 8, False)
long = int64
uint8 = dtype("uint8", 1, False)


def _shape(args):
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    out = tuple(int(a) for a in args)
    if any(d < 0 for d in out):
        raise RuntimeError(f"negative dimension in {out}")
    return out


def _broadcast(a, b):
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"shapes {a} and {b} do not broadcast")
        out.append(max(x, y) if x != 0 and y != 0 else 0)
    return tuple(reversed(out))


def _dim(d, n):
    if not -n <= d < max(n, 1):
        raise IndexError(f"dim {d} out of range for {n} dimensions")
    return d % n if n else 0


class Tensor:
    def __init__(self, shape, dt=float32, device="cpu"):
        self.shape = tuple(shape)
        self.dtype = dt
        self.device = device

    # ---- sizes
    def dim(self):
        return len(self.shape)

    ndim = property(dim)

    def numel(self):
        return math.prod(self.shape)

    def size(self, d=None):
        return self.shape if d is None else self.shape[_dim(d, len(self.shape))]

    def element_size(self):
        return self.dtype.itemsize

    # ---- in-place fills and copies
    def normal_(self, *a, **k):
        return self

    def fill_(self, v):
        return self

    def copy_(self, src, non_blocking=False):
        _broadcast(self.shape, src.shape)
        if _broadcast(self.shape, src.shape) != self.shape:
            raise RuntimeError(f"copy_ of {src.shape} into {self.shape}")
        return self

    def index_add_(self, dim, index, src):
        d = _dim(dim, self.dim())
        if index.dim() != 1 or src.shape[d] != index.shape[0]:
            raise RuntimeError(f"index_add_: index {index.shape} and source {src.shape} along dim {d}")
        if src.shape[:d] + src.shape[d + 1:] != self.shape[:d] + self.shape[d + 1:]:
            raise RuntimeError(f"index_add_: source {src.shape} into {self.shape}")
        return self

    def index_select(self, dim, index):
        d = _dim(dim, self.dim())
        if index.dim() != 1:
            raise RuntimeError("index_select: a 1-D index")
        return Tensor(self.shape[:d] + index.shape + self.shape[d + 1:], self.dtype, self.device)

    # ---- conversions
    def to(self, *a, **k):
        dt = k.get("dtype")
        for x in a:
            if isinstance(x, dtype):
                dt = x
        return Tensor(self.shape, dt or self.dtype, self.device)

    def float(self):
        return self.to(float32)

    def contiguous(self):
        return Tensor(self.shape, self.dtype, self.device)

    def t(self):
        if self.dim() != 2:
            raise RuntimeError("t() expects a 2-D tensor")
        return Tensor(self.shape[::-1], self.dtype, self.device)

    def tolist(self):
        if self.dim() != 1:
            raise RuntimeError("fake tolist: 1-D tensors only")
        return list(getattr(self, "_values", [0] * self.shape[0]))

    def item(self):
        return 0.0

    # ---- views
    def view(self, *s):
        if len(s) == 1 and isinstance(s[0], dtype):
            return Tensor(self.shape, s[0], self.device)
        s = list(s[0]) if len(s) == 1 and isinstance(s[0], (tuple, list)) else [int(d) for d in s]
        if s.count(-1) > 1 or any(d < -1 for d in s):
            raise RuntimeError(f"view {tuple(s)}")
        if s.count(-1) == 1:
            rest = math.prod(d for d in s if d != -1)
            s[s.index(-1)] = self.numel() // rest if rest else 0
        if math.prod(s) != self.numel():
            raise RuntimeError(f"view {tuple(s)} of {self.shape}")
        return Tensor(tuple(s), self.dtype, self.device)

    reshape = view

    def transpose(self, a, b):
        s = list(self.shape)
        a, b = _dim(a, len(s)), _dim(b, len(s))
        s[a], s[b] = s[b], s[a]
        return Tensor(tuple(s), self.dtype, self.device)

    def unsqueeze(self, d):
        s = list(self.shape)
        s.insert(d % (len(s) + 1), 1)
        return Tensor(tuple(s), self.dtype, self.device)

    def expand(self, *s):
        s = _shape(s)
        if _broadcast(self.shape, s) != s:
            raise RuntimeError(f"expand {self.shape} to {s}")
        return Tensor(s, self.dtype, self.device)

    def split(self, sizes, dim=0):
        d = _dim(dim, self.dim())
        if isinstance(sizes, int):
            sizes = [sizes] * math.ceil(self.shape[d] / sizes)
        if sum(sizes) != self.shape[d]:
            raise RuntimeError(f"split sizes {sizes} of dim {self.shape[d]}")
        return tuple(Tensor(self.shape[:d] + (n,) + self.shape[d + 1:], self.dtype, self.device) for n in sizes)

    def chunk(self, n, dim=0):
        d = _dim(dim, self.dim())
        each = math.ceil(self.shape[d] / n)
        return self.split([min(each, self.shape[d] - i * each) for i in range(n)], d)

    def __getitem__(self, idx):
        if not isinstance(idx, tuple):
            idx = (idx,)
        if any(isinstance(i, Tensor) for i in idx):  # indexing by a tensor: gather along dim 0
            if len(idx) != 1:
                raise RuntimeError("fake: tensor indexing on dim 0 only")
            return Tensor(idx[0].shape + self.shape[1:], self.dtype, self.device)
        if Ellipsis in idx:
            k = idx.index(Ellipsis)
            fill = self.dim() - (len(idx) - 1 - sum(i is None for i in idx))
            idx = idx[:k] + (slice(None),) * fill + idx[k + 1:]
        out, d = [], 0
        for i in idx:
            if i is None:
                out.append(1)
                continue
            if d >= self.dim():
                raise IndexError(f"too many indices for {self.shape}")
            n = self.shape[d]
            if isinstance(i, slice):
                out.append(len(range(*i.indices(n))))
            elif isinstance(i, int):
                if not -n <= i < n:
                    raise IndexError(f"index {i} out of range for size {n}")
            else:
                raise TypeError(f"fake: index {i!r}")
            d += 1
        return Tensor(tuple(out) + self.shape[d:], self.dtype, self.device)

    def __setitem__(self, idx, value):
        target = self[idx]
        if isinstance(value, Tensor) and _broadcast(target.shape, value.shape) != target.shape:
            raise RuntimeError(f"setitem of {value.shape} into {target.shape}")

    # ---- arithmetic
    def _binary(self, other):
        if isinstance(other, Tensor):
            return Tensor(_broadcast(self.shape, other.shape), self.dtype, self.device)
        return Tensor(self.shape, self.dtype, self.device)

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __floordiv__ = _binary

    def __rtruediv__(self, other):
        return Tensor(self.shape, self.dtype, self.device)

    __rpow__ = __pow__ = _binary

    def __neg__(self):
        return Tensor(self.shape, self.dtype, self.device)

    def __matmul__(self, other):
        a, b = self.shape, other.shape
        if len(a) < 1 or len(b) < 2 or a[-1] != b[-2]:
            raise RuntimeError(f"matmul {a} @ {b}")
        batch = _broadcast(a[:-2], b[:-2])
        return Tensor(batch + a[-2:-1] + b[-1:], self.dtype, self.device)

    def cos(self):
        return Tensor(self.shape, self.dtype, self.device)

    sin = exp = cos

    def sum(self, dim=None):
        return Tensor(() if dim is None else self.shape[:dim] + self.shape[dim + 1:], self.dtype, self.device)

    def mean(self, dim=None, keepdim=False):
        return self.sum(dim)


def _new(shape, dt=None, device="cpu", **_):
    return Tensor(_shape(shape), dt or float32, device)


def empty(*s, dtype=None, device="cpu", pin_memory=False):
    return _new(s, dtype, device)


zeros = ones = randn = empty


def tensor(v, dtype=None, device="cpu"):
    return Tensor((), dtype or float32, device)


def randint(low, high, size, device="cpu", dtype=None):
    return Tensor(_shape(size), dtype or int64, device)


def empty_like(t, **k):
    return Tensor(t.shape, k.get("dtype") or t.dtype, t.device)


zeros_like = ones_like = randn_like = empty_like


def arange(*a, device="cpu", dtype=None):
    return Tensor((len(range(*[int(x) for x in a])),), dtype or int64, device)


def outer(a, b):
    return Tensor((a.shape[0], b.shape[0]), a.dtype, a.device)


def cat(ts, dim=0):
    ts = list(ts)
    d = _dim(dim, ts[0].dim())
    for t in ts[1:]:
        if t.shape[:d] + t.shape[d + 1:] != ts[0].shape[:d] + ts[0].shape[d + 1:]:
            raise RuntimeError(f"cat of {[x.shape for x in ts]} on dim {d}")
    s = list(ts[0].shape)
    s[d] = sum(t.shape[d] for t in ts)
    return Tensor(tuple(s), ts[0].dtype, ts[0].device)


def softmax(x, dim=-1, dtype=None):
    return Tensor(x.shape, dtype or x.dtype, x.device)


def topk(x, k, dim=-1):
    d = _dim(dim, x.dim())
    if k > x.shape[d]:
        raise RuntimeError(f"topk {k} of {x.shape[d]}")
    s = x.shape[:d] + (k,) + x.shape[d + 1:]
    return Tensor(s, x.dtype, x.device), Tensor(s, int64, x.device)


def argsort(x, dim=-1):
    return Tensor(x.shape, int64, x.device)


def bincount(x, minlength=0):
    n = max(minlength, 1)
    out = Tensor((n,), int64, x.device)
    total = x.numel()  # an even split stands in for the values the fake does not have
    out._values = [total // n + (1 if i < total % n else 0) for i in range(n)]
    return out


def cumsum(x, dim=0):
    return Tensor(x.shape, x.dtype, x.device)


def manual_seed(s):
    return None


@contextlib.contextmanager
def inference_mode():
    yield


no_grad = inference_mode


class _Cuda:
    @staticmethod
    def is_available():
        return False

    def __getattr__(self, name):
        raise RuntimeError(f"fake torch: torch.cuda.{name} on the CPU dry run")


cuda = _Cuda()


class _Matmul:
    allow_tf32 = False


class _CudaBackends:
    matmul = _Matmul()


class _Cudnn:
    @staticmethod
    def version():
        return None


class _Backends:
    cuda = _CudaBackends()
    cudnn = _Cudnn()


backends = _Backends()


class _DeviceType:
    CPU, CUDA = "CPU", "CUDA"


class _Autograd:
    DeviceType = _DeviceType


autograd = _Autograd()


class version:
    cuda = None


from . import nn  # noqa: E402,F401
from . import profiler  # noqa: E402,F401
