#!/usr/bin/env bash
# dssim sweep on a real single-node Slurm cluster started here: munge and slurmctld/slurmd on the
# loopback address with a private configuration and state folder; the sweep is emitted as an array
# job, submitted with sbatch --wait, merged, and must equal the same sweep run locally; then a recommend
# search the same way, whose merged answer must equal the local one.
# Exit 77 (CTest: skipped) when Slurm or munge is not installed, or without root (daemons).
set -u
dssim=$1
for t in slurmctld slurmd sbatch munged; do command -v $t >/dev/null || { echo "skipped: no $t"; exit 77; }; done
[ "$(id -u)" -eq 0 ] || { echo "skipped: needs root to start the daemons"; exit 77; }
T=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; sleep 0.5; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$T"/*.log; do echo "--- $f"; tail -20 "$f"; done; exit 1; }
mkdir -p "$T/state" "$T/spool" "$T/munge"
# munge: a fresh key and a private socket
if command -v mungekey >/dev/null; then mungekey -c -k "$T/munge/munge.key" >/dev/null 2>&1; else dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 2>/dev/null; fi
chmod 600 "$T/munge/munge.key"
munged --force -S "$T/munge/sock" --key-file="$T/munge/munge.key" --pid-file="$T/munge/pid" \
       --log-file="$T/munge.log" --seed-file="$T/munge/seed" -F > "$T/munged.out" 2>&1 &
pids+=($!)
sleep 1
port=$((20000 + RANDOM % 20000))
cat > "$T/slurm.conf" <<CONF
ClusterName=dssimtest
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/sock
CredType=cred/munge
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldPort=$port
SlurmdPort=$((port + 1))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$T/slurm.conf"
slurmctld -D -i -f "$T/slurm.conf" > "$T/ctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$T/slurm.conf" > "$T/d.out" 2>&1 &
pids+=($!)
for i in $(seq 1 30); do sinfo -h -o %T 2>/dev/null | grep -qE "idle|mix" && break; sleep 1; done
sinfo -h -o %T 2>/dev/null | grep -qE "idle|mix" || fail "the Slurm node did not come up"
"$dssim" sweep scenarios/sweeps/33b_gpus_batches.toml --out "$T/sweep" --emit slurm > /dev/null || fail "emit"
timeout 300 sbatch --wait --chdir="$T" "$T/sweep/sweep.sbatch" > "$T/sbatch.log" 2>&1 || fail "sbatch --wait"
"$dssim" sweep scenarios/sweeps/33b_gpus_batches.toml --out "$T/sweep" --merge > /dev/null || fail "merge"
"$dssim" sweep scenarios/sweeps/33b_gpus_batches.toml --out "$T/local" --quiet > /dev/null || fail "local sweep"
cmp "$T/sweep/results.csv" "$T/local/results.csv" || fail "Slurm and local results differ"
echo "ok: 40-point sweep ran as a Slurm array job and merged identical to the local run"
# recommend: the same search as an array job, merged to the local answer
rec=tests/integration/cases/recommend_small.toml
"$dssim" recommend $rec --out "$T/rec" --emit slurm > /dev/null || fail "recommend emit"
timeout 300 sbatch --wait --chdir="$T" "$T/rec/recommend.sbatch" > "$T/sbatch_rec.log" 2>&1 || fail "recommend sbatch --wait"
"$dssim" recommend $rec --out "$T/rec" --merge > "$T/rec_merged.txt" || fail "recommend merge"
"$dssim" recommend $rec --quiet > "$T/rec_local.txt" || fail "local recommend"
sed -n '/^Cheapest/,/^Why/p' "$T/rec_merged.txt" > "$T/rec_a"
sed -n '/^Cheapest/,/^Why/p' "$T/rec_local.txt" > "$T/rec_b"
[ -s "$T/rec_a" ] && cmp "$T/rec_a" "$T/rec_b" || fail "Slurm and local recommend answers differ"
echo "ok: 6-candidate recommend ran as a Slurm array job and merged to the local answer"
