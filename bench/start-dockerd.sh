#!/usr/bin/env bash
# Starts Debian's dockerd in the background (for the side-by-side benchmarks)
# unless one already answers; waits until it does. Log: /tmp/berth-bench-dockerd.log
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
command -v dockerd >/dev/null || { echo "dockerd is not installed: bash scripts/setup.sh --bench" >&2; exit 1; }
nohup dockerd >/tmp/berth-bench-dockerd.log 2>&1 &
for _ in $(seq 1 100); do
  if docker info >/dev/null 2>&1; then exit 0; fi
  sleep 0.2
done
echo "dockerd did not come up; see /tmp/berth-bench-dockerd.log" >&2
exit 1
