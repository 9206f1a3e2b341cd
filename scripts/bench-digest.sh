#!/usr/bin/env bash
# Times `dataserver digest` on one core per image format, for binaries side
# by side: bench-digest.sh TREE RUNS BINARY... (e.g. a binary built from an
# older commit and the current one). TREE's images are hard-linked (or
# copied) into one tree per extension; each binary runs RUNS times per
# format, interleaved with the others, pinned to CPU 1 with GOMAXPROCS=1.
# Printed per format and binary: the best wall time and the best CPU time
# (user + sys) with images per second of each. On a machine shared with
# other work trust the CPU figure: wall time measures the neighbours too.
set -euo pipefail
tree=$1 runs=$2
shift 2
split=$(mktemp -d)
trap 'rm -rf "$split"' EXIT
for e in png jpg gif webp; do
	pat=(-iname "*.$e")
	[ "$e" = jpg ] && pat=(-iname "*.jpg" -o -iname "*.jpeg")
	(cd "$tree" && find . -type f \( "${pat[@]}" \)) | while read -r f; do
		mkdir -p "$split/$e/$(dirname "$f")"
		ln "$tree/$f" "$split/$e/$f" 2>/dev/null || cp "$tree/$f" "$split/$e/$f"
	done
done
TIMEFORMAT='%3R %3U %3S'
for e in png jpg gif webp; do
	[ -d "$split/$e" ] || continue
	n=$(find "$split/$e" -type f | wc -l)
	declare -A wall=() cpu=()
	for r in $(seq "$runs"); do
		for b in "$@"; do
			t=$({ time GOMAXPROCS=1 taskset -c 1 "$b" digest --root "$split/$e" >/dev/null; } 2>&1)
			read -r w u s <<<"$t"
			c=$(echo "$u + $s" | bc)
			if [ -z "${wall[$b]:-}" ] || [ "$(echo "$w < ${wall[$b]}" | bc)" = 1 ]; then wall[$b]=$w; fi
			if [ -z "${cpu[$b]:-}" ] || [ "$(echo "$c < ${cpu[$b]}" | bc)" = 1 ]; then cpu[$b]=$c; fi
		done
	done
	for b in "$@"; do
		printf "%-5s %-24s %5d images  wall %7.3f s %6.0f img/s  cpu %7.3f s %6.0f img/cpu-s\n" \
			"$e" "$b" "$n" "${wall[$b]}" "$(echo "$n / ${wall[$b]}" | bc -l)" "${cpu[$b]}" "$(echo "$n / ${cpu[$b]}" | bc -l)"
	done
	unset wall cpu
done
