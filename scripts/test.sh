#!/usr/bin/env bash
# The project's test command (what .ci/run runs after installing the tools):
# static checks, API lint/breaking and generated-code currency, deployment
# manifests, the Go tests under the race detector (unit, corpus parity,
# end-to-end, reliability), a short run of every fuzz target, the Python
# client's tests, and govulncheck.
set -euo pipefail
cd "$(dirname "$0")/.."
# Build, test and scan with the toolchain go.mod names (a security release,
# fetched through the module proxy); the plain `go run` works with go.mod's
# go version too.
export GOTOOLCHAIN=auto
export PATH="$(go env GOPATH)/bin:$PATH"
if [ ! -f ../shared/corpus/expected.jsonl ]; then
	echo "WARNING: ../shared/corpus is missing: the corpus tests will SKIP" >&2
fi
start=$SECONDS
step() { echo; echo "== $* (at $((SECONDS - start))s)"; }

step "go.mod tidy, gofmt, go vet, static build"
for mod in . deploy/tools; do
	(cd "$mod" && go mod tidy -diff) || { echo "$mod: go.mod/go.sum not tidy: run go mod tidy there" >&2; exit 1; }
done
unformatted=$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)
[ -z "$unformatted" ] || { echo "gofmt needed: $unformatted"; exit 1; }
CGO_ENABLED=0 go vet ./...
(cd deploy/tools && go vet ./...)
CGO_ENABLED=0 go build -o /dev/null ./cmd/dataserver

step "API: buf lint, buf breaking, generated Go code current"
bash scripts/check-proto.sh

step "Python stubs current"
bash scripts/gen-python.sh
git diff --exit-code --stat -- client/python/starlight_dataserver/_proto || { echo "client/python: generated stubs not current: run scripts/gen-python.sh" >&2; exit 1; }

step "deployment: kustomize + kubeconform + Dockerfile lint"
bash scripts/check-deploy.sh

step "go test -race"
go test -race -count=1 -timeout 20m ./...

step "fuzz: every target for ${FUZZTIME:-3s}"
bash scripts/fuzz.sh "${FUZZTIME:-3s}"

step "Python client: pytest"
(cd client/python && /usr/bin/python3 -m pytest -q tests)

step "govulncheck (offline database)"
bash scripts/govulncheck.sh
echo
echo "all checks passed in $((SECONDS - start))s"
