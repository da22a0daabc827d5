#!/usr/bin/env bash
# The H200 burn tests, simulated, beside the measured traces (validation/data/h200).
# Usage: validation/power_bench.sh   (from the repo root, after building)
set -euo pipefail
dssim=${DSSIM:-build/dssim}
"$dssim" scenarios/power/h200_gemm_burn.toml --format json --thermal-csv /tmp/dssim_gemm_burn.csv > /tmp/dssim_gemm_burn.json
"$dssim" scenarios/power/h200_copy_burn.toml --format json --thermal-csv /tmp/dssim_copy_burn.csv > /tmp/dssim_copy_burn.json
mkdir -p validation/reports
python3 - <<'PY'
import csv, datetime, json, statistics, tomllib
prof = tomllib.load(open('platforms/profiles/h200-sxm.toml', 'rb'))['power']
g = json.load(open('/tmp/dssim_gemm_burn.json')); c = json.load(open('/tmp/dssim_copy_burn.json'))
# measured time to the limit: from the first GEMM window to the first 1-s power reading within 2 % of it
load = list(csv.DictReader(open('validation/data/h200/power_load.csv')))
start = min(float(r['epoch_s']) for r in load if r['phase'].startswith('gemm')) - float(next(r for r in load if r['phase'].startswith('gemm'))['seconds_per_op']) * 50
ttl = None
for r in csv.reader(open('validation/data/h200/nvidia_smi_trace.csv')):
    if r[0] == 'timestamp': continue
    t = datetime.datetime.strptime(r[0].strip(), '%Y/%m/%d %H:%M:%S.%f').replace(tzinfo=datetime.timezone.utc).timestamp()
    if t > start and float(r[1]) >= 0.98 * float(r[2]):
        ttl = t - start; break
rows = [
  ('GEMM burn: steady rate (TFLOP/s)', g['burn']['steady_rate'], prof['gemm_rate_steady_tflops'], 0.05),
  ('GEMM burn: steady SM clock (MHz)', g['burn']['steady_sm_clock_mhz'], prof['sm_clock_gemm_mhz'], 0.05),
  ('GEMM burn: steady power (W)', g['burn']['steady_power_w'], prof['gemm_power_w'], 0.05),
  ('GEMM burn: time to the limit (s)', g['burn']['time_to_limit_s'], ttl, None),
  ('GEMM burn: steady GPU temperature (C)', g['burn']['steady_temp_c'], prof['temp_gemm_c'], None),
  ('copy burn: power (W)', c['burn']['steady_power_w'], prof['copy_power_w'], 0.05),
  ('copy burn: rate (GB/s)', c['burn']['steady_rate'], prof['copy_rate_GBps'], 0.05),
  ('copy burn: steady GPU temperature (C)', c['burn']['steady_temp_c'], prof['temp_copy_c'], None),
  ('copy burn: throttled fraction', c['thermal']['throttled_fraction'], 0.0, None),
]
print(f"{'quantity':42} {'dssim':>10} {'measured':>10} {'difference':>12}")
for name, sim, meas, rel in rows:
    if 'time to' in name: d = f"{sim - meas:+.2f} s"
    elif '(C)' in name: d = f"{sim - meas:+.1f} C"
    elif meas == 0: d = f"{sim - meas:+.3f}"
    else: d = f"{(sim - meas) / meas * 100:+.1f} %"
    print(f"{name:42} {sim:10.2f} {meas:10.2f} {d:>12}")
print(f"{'idle draw (W)':42} {prof['idle_w']:10.2f} {prof['idle_w']:10.2f} {'(fitted)':>12}")

# Plot-ready traces: the measured nvidia-smi samples from the GEMM burn's start to the copy burn's end,
# beside the simulated ones at the same times (the copy burn simulated from where the GEMM burn ends).
def sim_rows(path, offset):
    return [(float(r['t_s']) + offset, float(r['power_w']), float(r['temp_c']), float(r['sm_clock_mhz']))
            for r in csv.DictReader(open(path))]
gemm_len = 30.0
copy_start = min(float(r['epoch_s']) for r in load if r['phase'].startswith('copy')) - 20 * float(next(r for r in load if r['phase'].startswith('copy'))['seconds_per_op'])
sim = sim_rows('/tmp/dssim_gemm_burn.csv', 0.0) + sim_rows('/tmp/dssim_copy_burn.csv', copy_start - start)
def at(t):
    best = min(sim, key=lambda r: abs(r[0] - t))
    return best if abs(best[0] - t) <= 0.3 else None
out = open('validation/reports/h200_burn_traces.csv', 'w')
out.write('t_s,measured_power_w,simulated_power_w,measured_temp_c,simulated_temp_c,measured_sm_clock_mhz,simulated_sm_clock_mhz\n')
n = 0
for r in csv.reader(open('validation/data/h200/nvidia_smi_trace.csv')):
    if r[0] == 'timestamp': continue
    t = datetime.datetime.strptime(r[0].strip(), '%Y/%m/%d %H:%M:%S.%f').replace(tzinfo=datetime.timezone.utc).timestamp() - start
    if t < 0 or t > copy_start - start + 8.0: continue
    s = at(t)
    if not s: continue
    out.write(f"{t:.3f},{float(r[1]):.2f},{s[1]:.2f},{float(r[3]):.0f},{s[2]:.2f},{float(r[5]):.0f},{s[3]:.0f}\n"); n += 1
print(f"\nwrote validation/reports/h200_burn_traces.csv ({n} samples, measured beside simulated)")
PY
