#!/usr/bin/env bash
# The finance report in a real browser: headless Chromium loads DIR/report.html from `dssim roi`; the
# rendered DOM has the titles and the inline break-even figure, and a screenshot of the page is not
# blank where the figure is drawn. Exit 77 (CTest: skipped) when Chromium or gnuplot is missing.
set -eu
dssim=$1
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ] || ! command -v gnuplot >/dev/null; then echo "skipped: needs chromium and gnuplot"; exit 77; fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$dssim" roi scenarios/33b_a100.toml --out "$d" > /dev/null
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$d/profile")
"$chrome" "${flags[@]}" --dump-dom "file://$d/report.html" > "$d/dom.html" 2>/dev/null
grep -q "<h1>Buy or rent: 33b_a100</h1>" "$d/dom.html" || { echo "FAIL: title not rendered"; exit 1; }
grep -q '<figure id="break-even"><svg' "$d/dom.html" || { echo "FAIL: no inline break-even figure"; exit 1; }
grep -qE "Break-even after <b>[0-9]+\.[0-9] months</b>" "$d/dom.html" || { echo "FAIL: summary not rendered"; exit 1; }
"$chrome" "${flags[@]}" --window-size=1000,1600 --screenshot="$d/shot.png" "file://$d/report.html" 2>/dev/null
python3 - "$d/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]; pos += 12 + n
    if kind == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT': idat += body
bpp = {2: 3, 6: 4}[ctype]
raw, stride, prev, rows, i = zlib.decompress(idat), w * bpp, bytearray(w * bpp), [], 0
for _ in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
# the figure sits below the summary: count coloured (non-grey) pixels of the plotted lines in the page
coloured = sum(1 for r in rows for x in range(0, stride, bpp) if max(r[x:x + 3]) - min(r[x:x + 3]) > 60)
print(f"screenshot {w}x{h}: {coloured} coloured pixels")
assert coloured > 2000, 'the figures look blank'
PY
echo "ok: report rendered with its figures"
