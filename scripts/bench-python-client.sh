#!/usr/bin/env bash
# Measures what one trainer process receives from a server on this machine,
# the Go client and the Python client side by side in one run:
#   bench-python-client.sh TREE [ROUNDS] [OLD_PYTHON_CLIENT_DIR]
# TREE is a datasets folder (e.g. ../shared/trainset/datasets). The server
# is built from this checkout and serves TREE on a free loopback port; one
# pull warms its cache. Then, ROUNDS times (default 3), interleaved: the Go
# client (`dataserver pull`), and `examples/throughput.py` of this checkout
# in float32 and uint8 with the default prefetch, with prefetch 0, and pixel
# only; with OLD_PYTHON_CLIENT_DIR (client/python of an older checkout, e.g.
# a git worktree) its throughput.py in float32 and uint8 as well. Every run
# reads 300 batches of 32 with every stream and packed planes. Printed: each
# configuration's samples/s per round and their median, and the server's
# CPU per batch sent (from /proc, 10 ms ticks; throughput.py's 20 warm-up
# batches counted in).
set -euo pipefail
tree=$(realpath "$1")
rounds=${2:-3}
old=${3:-}
here=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
work=$(mktemp -d)
trap 'kill "$srv" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
(cd "$here" && CGO_ENABLED=0 go build -o "$work/dataserver" ./cmd/dataserver)
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
addr=127.0.0.1:$port
"$work/dataserver" serve --root "$tree" --addr "$addr" --metrics-addr "" --cache-dir "$work/cache" \
	--log-level warn >"$work/serve.log" 2>&1 &
srv=$!
for _ in $(seq 600); do
	"$work/dataserver" pull --addr "$addr" --batches 1 >/dev/null 2>&1 && break
	sleep 0.5
done
"$work/dataserver" pull --addr "$addr" --batches 300 --batch-size 32 >/dev/null

declare -A got=() srvcpu=()
names=()
ticks() { awk '{print $14 + $15}' "/proc/$srv/stat"; }
run() { # name, batches sent, then the command; its samples/s is the number before "samples/s"
	local name=$1 sent=$2 rate t0 t1
	shift 2
	t0=$(ticks)
	rate=$("$@" 2>&1 | grep -o '[0-9]* samples/s' | tail -1 | grep -o '^[0-9]*')
	t1=$(ticks)
	[ -n "${got[$name]:-}" ] || names+=("$name")
	got[$name]="${got[$name]:-} $rate"
	srvcpu[$name]="${srvcpu[$name]:-} $(echo "($t1 - $t0) * 10 / $sent" | bc -l | xargs printf '%.1f')"
}
tp=$here/client/python/examples/throughput.py
for _ in $(seq "$rounds"); do
	run "go client (dataserver pull)" 300 "$work/dataserver" pull --addr "$addr" --batches 300 --batch-size 32
	run "python float32" 320 $py "$tp" --addr "$addr" --batches 300 --dtype float32
	run "python uint8" 320 $py "$tp" --addr "$addr" --batches 300 --dtype uint8
	run "python float32 prefetch 0" 320 $py "$tp" --addr "$addr" --batches 300 --dtype float32 --prefetch 0
	run "python uint8 prefetch 0" 320 $py "$tp" --addr "$addr" --batches 300 --dtype uint8 --prefetch 0
	run "python float32 pixel only" 320 $py "$tp" --addr "$addr" --batches 300 --dtype float32 --streams pixel
	if [ -n "$old" ]; then
		run "old python float32" 320 $py "$old/examples/throughput.py" --addr "$addr" --batches 300 --dtype float32
		run "old python uint8" 320 $py "$old/examples/throughput.py" --addr "$addr" --batches 300 --dtype uint8
	fi
done
for n in "${names[@]}"; do
	# shellcheck disable=SC2086
	med=$(printf '%s\n' ${got[$n]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	# shellcheck disable=SC2086
	cpu=$(printf '%s\n' ${srvcpu[$n]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf "%-30s median %6s samples/s   rounds:%-18s server CPU %s ms/batch\n" "$n" "$med" "${got[$n]}" "$cpu"
done
