#!/usr/bin/env bash
# Checks the API: buf lint (STANDARD), buf breaking against the previous
# commit that had the API (in CI, main's last landed state), and that the
# committed Go code under proto/ is what the pinned generators produce.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/gen-proto.sh --lint
if ! git diff --exit-code --stat -- proto; then
	echo "proto/: generated Go code is not current: run scripts/gen-proto.sh and commit" >&2
	exit 1
fi
if [ -n "$(git ls-files --others --exclude-standard proto)" ]; then
	echo "proto/: generated files not committed: $(git ls-files --others --exclude-standard proto)" >&2
	exit 1
fi
export PATH="$(go env GOPATH)/bin:$PATH"
api=proto/dataserver/v1/dataserver.proto
base=""
for c in $(git rev-list --max-count=200 HEAD~1 2>/dev/null); do
	if git cat-file -e "$c:$api" 2>/dev/null; then base=$c; break; fi
done
if [ -n "$base" ]; then
	echo "buf breaking against $base"
	buf breaking --against ".git#ref=$base,subdir=proto" proto
else
	echo "buf breaking: no earlier commit has $api; nothing to compare"
fi
