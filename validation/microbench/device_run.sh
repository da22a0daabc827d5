#!/usr/bin/env bash
# device_run.sh OUT_DIR [ARCH]: build dssim-microbench with nvcc alone (no CMake, no simulator
# dependencies: a bare GPU machine with the CUDA toolkit is enough) and run the whole suite into
# OUT_DIR. Made for a short loan of a GPU: one command, everything it prints is in OUT_DIR/run.log.
#   ARCH: the GPU's compute capability for nvcc (default: asked of nvidia-smi, else 90 = Hopper).
# If nvcc is missing, a dssim-microbench already built elsewhere can be given as $MICROBENCH.
set -u
out=${1:?usage: device_run.sh OUT_DIR [ARCH]}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
log="$out/run.log"
exec > >(tee -a "$log") 2>&1
echo "== $(date -u +%FT%TZ) device_run.sh on $(hostname)"
nvidia-smi --query-gpu=name,driver_version,memory.total,power.limit,clocks.max.sm --format=csv 2>&1 || true

arch=${2:-}
if [ -z "$arch" ]; then
  cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')
  arch=${cc:-90}
fi

bin=${MICROBENCH:-}
if [ -z "$bin" ]; then
  nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
  if [ ! -x "$nvcc" ]; then
    echo "device_run.sh: no nvcc and no \$MICROBENCH: cannot build the suite"; exit 1
  fi
  bin="$(mktemp -d)/dssim-microbench"  # not in OUT_DIR: only measurements go back
  echo "== building with $nvcc for sm_$arch"
  t0=$(date +%s)
  ( cd "$here" && "$nvcc" -O2 -std=c++17 -gencode "arch=compute_$arch,code=sm_$arch" -Xcompiler -Wall \
      *.cu *.cpp \
      -lcublasLt -ldl -lpthread -o "$bin" ) || { echo "device_run.sh: build failed"; exit 1; }
  echo "   built in $(( $(date +%s) - t0 )) s"
fi

echo "== running the suite"
t0=$(date +%s)
"$bin" --out "$out" "${@:3}"
rc=$?
echo "== suite exit code $rc after $(( $(date +%s) - t0 )) s"
ls -la "$out"
exit $rc
