#!/usr/bin/env bash
# The project's test command: static checks, generated-code currency, the Go
# tests under the race detector, a short run of every fuzz target, and the
# Python client's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"
if [ ! -f ../shared/corpus/expected.jsonl ]; then
	echo "WARNING: ../shared/corpus is missing: corpus parity tests will SKIP" >&2
fi

echo "== gofmt / go vet"
unformatted=$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)
[ -z "$unformatted" ] || { echo "gofmt needed: $unformatted"; exit 1; }
CGO_ENABLED=0 go vet ./...
CGO_ENABLED=0 go build ./...

echo "== go test -race"
go test -race -count=1 -timeout 15m ./...

echo "== fuzz (each target briefly)"
bash scripts/fuzz.sh "${FUZZTIME:-4s}"

echo "== govulncheck"
govulncheck ./...
