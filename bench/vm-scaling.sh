#!/usr/bin/env bash
# Benchmark (root): provisioning wall time of the Vagrant backend with 1 vs 2 compute nodes, on real
# tiny VMs under QEMU/TCG in an isolated libvirtd (test/vm/isolated-lab.sh). Parallel nodes keep the
# ratio near 1 when the host has a core per vCPU; with fewer cores the guests' CPU time is shared, so
# it also reports the parallelism itself: the sum of all phase times / the wall time.
# Usage: bench/vm-scaling.sh   Writes bench/results/vm-scaling.json.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BOX=$(bash "$ROOT/boxes/tiny-box.sh")
declare -A secs par
for lab in tiny-two tiny-three; do
  work=$(mktemp -d)
  out=$(bash "$ROOT/test/vm/isolated-lab.sh" "$BOX" "$ROOT/dist/lab.mjs" "$ROOT/test/vm/$lab.yaml" "$work" block-vxlan 2>&1)
  secs[$lab]=$(grep -oE "$lab provisioned: [0-9]+ phases run, 0 already complete, [0-9.]+ s" <<<"$out" | grep -oE '[0-9.]+ s$' | tr -d ' s')
  par[$lab]=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["phases"].values(); print("%.2f" % (sum(x["ms"] for x in p) / 1000 / float(sys.argv[2])))' "$work/labs/$lab/state.json" "${secs[$lab]}")
  echo "$lab: provisioning ${secs[$lab]} s, sum of phase times / wall = ${par[$lab]}"
  rm -rf "$work"
done
ratio=$(awk -v a="${secs[tiny-three]}" -v b="${secs[tiny-two]}" 'BEGIN { printf "%.2f", a / b }')
echo "2 computes / 1 compute = $ratio"
mkdir -p "$ROOT/bench/results"
printf '{\n  "date": "%s",\n  "hostCores": %s,\n  "provisionSeconds": { "oneCompute": %s, "twoComputes": %s },\n  "ratio": %s,\n  "parallelism": { "oneCompute": %s, "twoComputes": %s }\n}\n' "$(date -u +%FT%TZ)" "$(nproc)" "${secs[tiny-two]}" "${secs[tiny-three]}" "$ratio" "${par[tiny-two]}" "${par[tiny-three]}" > "$ROOT/bench/results/vm-scaling.json"
