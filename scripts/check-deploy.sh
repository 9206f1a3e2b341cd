#!/usr/bin/env bash
# Checks the deployment files without a cluster or a Docker engine:
#   1. renders deploy/base and deploy/overlays/example with kustomize;
#   2. validates every rendered object with kubeconform -strict against
#      schemas that need no network: the built-in kinds' schemas are
#      generated from k8s.io/client-go's apply schema and the k8s.io/api types
#      (deploy/tools/cmd/k8sschemas), the ServiceMonitor's is hand-written in
#      deploy/schemas/; no kind is skipped and no schema may be missing;
#   3. proves the validation bites: known-bad variants must be rejected;
#   4. checks the Grafana dashboard's PromQL and metric names;
#   5. lints the Dockerfile with BuildKit's own front end in lint mode (the
#      rules of `docker build --check`) plus the project's image policy.
# Exits non-zero on any failure. Tools are installed on first use (Go module
# proxy only) and cached; later runs take a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
start=$(date +%s)

KUSTOMIZE=sigs.k8s.io/kustomize/kustomize/v5@v5.8.2
KUBECONFORM=github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0

gobin="$(go env GOPATH)/bin"
cache="${DATASERVER_DEPLOY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/starlight-dataserver/deploy}"
work=$(mktemp -d)
[ -z "${KEEP_WORK:-}" ] || echo "work files kept in $work"
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
mkdir -p "$cache"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# install NAME MODULE@VERSION: go install once per pinned version.
install() {
	if ! [ -x "$gobin/$1" ] || ! grep -qsxF "$2" "$gobin/.$1.version"; then
		echo "== install $2"
		go install "$2"
		echo "$2" > "$gobin/.$1.version"
	fi
}

echo "== tools"
install kustomize "$KUSTOMIZE"
install kubeconform "$KUBECONFORM"
kustomize="$gobin/kustomize"
kubeconform="$gobin/kubeconform"

# The project's own checkers (deploy/tools, a module of its own), rebuilt
# when their sources or the Go version change.
stamp=$( (go version; cd deploy/tools && cat go.mod go.sum && find . -name '*.go' | LC_ALL=C sort | xargs cat) | sha256sum | cut -c1-16)
tools="$cache/tools-$stamp"
if ! [ -x "$tools/k8sschemas" ] || ! [ -x "$tools/dockerfilelint" ] || ! [ -x "$tools/dashboardcheck" ]; then
	echo "== build deploy/tools ($stamp)"
	rm -rf "$tools.tmp"
	mkdir -p "$tools.tmp"
	(cd deploy/tools && go vet ./... && go test -count=1 ./... && go build -o "$tools.tmp/" ./cmd/...)
	rm -rf "$tools"
	mv "$tools.tmp" "$tools"
fi
# Drop the builds and schemas of earlier versions of deploy/tools.
find "$cache" -maxdepth 1 \( -name 'tools-*' -o -name 'schemas-*' \) ! -name "*-$stamp" -exec rm -rf {} +
unformatted=$(gofmt -l deploy/tools)
if [ -n "$unformatted" ]; then fail "gofmt deploy/tools: $unformatted"; else pass "gofmt deploy/tools"; fi

schemas="$cache/schemas-$stamp"
if ! [ -f "$schemas/deployment-apps-v1.json" ]; then
	rm -rf "$schemas.tmp"
	"$tools/k8sschemas" -out "$schemas.tmp"
	rm -rf "$schemas"
	mv "$schemas.tmp" "$schemas"
fi

# validate FILE: kubeconform -strict with the generated schemas first, then
# the repository's own (CRDs). Prints kubeconform's findings.
validate() {
	"$kubeconform" -strict -summary -output text \
		-schema-location "$schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
		-schema-location "$repo/deploy/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
		"$1"
}

echo "== render and validate"
for target in deploy/base deploy/overlays/example; do
	out="$work/$(basename "$target").yaml"
	if ! "$kustomize" build "$target" > "$out" 2> "$work/err"; then
		fail "kustomize build $target: $(cat "$work/err")"
		continue
	fi
	n=$(grep -c '^kind: ' "$out" || true)
	if [ "$n" -lt 10 ]; then
		fail "kustomize build $target rendered only $n objects"
		continue
	fi
	if report=$(validate "$out" 2>&1) && grep -q "Invalid: 0, Errors: 0, Skipped: 0" <<< "$report"; then
		pass "kubeconform -strict $target: $(tail -n1 <<< "$report")"
	else
		fail "kubeconform -strict $target:"
		echo "$report"
	fi
done
for kind in Deployment Service PersistentVolumeClaim Secret ConfigMap PodDisruptionBudget \
	HorizontalPodAutoscaler NetworkPolicy ServiceMonitor ServiceAccount; do
	if grep -q "^kind: $kind\$" "$work/base.yaml"; then pass "base has a $kind"; else fail "base lacks a $kind"; fi
done
if grep -q "REPLACE-ME" "$work/example.yaml"; then
	fail "overlays/example still carries the base's placeholder tokens"
else
	pass "overlays/example drops the placeholder tokens"
fi

# expect_invalid NAME KIND PATCH WANT: the base with one JSON patch applied
# to its KIND object must fail validation, with WANT in the report.
expect_invalid() {
	local dir="$work/neg-$1"
	mkdir -p "$dir"
	cat > "$dir/kustomization.yaml" <<-EOF
		resources:
		  - $(realpath --relative-to="$dir" "$repo/deploy/base")
		patches:
		  - target: {kind: $2}
		    patch: '$3'
	EOF
	if ! "$kustomize" build "$dir" > "$dir/out.yaml" 2> "$dir/err"; then
		fail "negative control $1: kustomize: $(cat "$dir/err")"
		return
	fi
	local report
	if report=$(validate "$dir/out.yaml" 2>&1); then
		fail "negative control $1: kubeconform accepted it"
	elif grep -qF "$4" <<< "$report"; then
		pass "negative control $1 rejected"
	else
		fail "negative control $1: rejected for another reason:"
		echo "$report"
	fi
}

echo "== the validation rejects known-bad objects"
expect_invalid unknown-container-field Deployment \
	'[{"op":"add","path":"/spec/template/spec/containers/0/imagePullPolicyy","value":"Always"}]' \
	"additional properties 'imagePullPolicyy' not allowed"
expect_invalid misplaced-probe Deployment \
	'[{"op":"add","path":"/spec/template/spec/readinessProbe","value":{"grpc":{"port":50051}}}]' \
	"additional properties 'readinessProbe' not allowed"
expect_invalid replicas-not-integer Deployment \
	'[{"op":"replace","path":"/spec/replicas","value":"three"}]' \
	"at '/spec/replicas': got string, want integer"
expect_invalid port-fraction Service \
	'[{"op":"replace","path":"/spec/ports/0/port","value":50051.5}]' \
	"at '/spec/ports/0/port': got number, want integer"
expect_invalid container-without-name Deployment \
	'[{"op":"remove","path":"/spec/template/spec/containers/0/name"}]' \
	"missing property 'name'"
expect_invalid hpa-unknown-metric-field HorizontalPodAutoscaler \
	'[{"op":"add","path":"/spec/metrics/0/resource/target/averageUtilisation","value":70}]' \
	"additional properties 'averageUtilisation' not allowed"
expect_invalid servicemonitor-unknown-field ServiceMonitor \
	'[{"op":"add","path":"/spec/endpoints/0/intervall","value":"30s"}]' \
	"additional properties 'intervall' not allowed"
expect_invalid servicemonitor-bad-interval ServiceMonitor \
	'[{"op":"replace","path":"/spec/endpoints/0/interval","value":"30 seconds"}]' \
	"'30 seconds' does not match pattern"

echo "== Grafana dashboard"
if "$tools/dashboardcheck" -source "$repo" deploy/base/grafana/dataserver-dashboard.json; then
	pass "dashboard queries parse and read defined metrics"
else
	fail "dashboard check"
fi

echo "== Dockerfile"
if "$tools/dockerfilelint" -gomod go.mod Dockerfile; then
	pass "Dockerfile: BuildKit lint and image policy"
else
	fail "Dockerfile lint"
fi
sed 's/^USER 65532:65532$/USER root/' Dockerfile > "$work/Dockerfile.root"
if ! grep -q '^USER root$' "$work/Dockerfile.root"; then
	fail "negative control Dockerfile-root: no USER line to replace"
elif "$tools/dockerfilelint" -gomod go.mod "$work/Dockerfile.root" > /dev/null 2>&1; then
	fail "negative control Dockerfile-root: a root USER was accepted"
else
	pass "negative control Dockerfile-root rejected"
fi

echo "check-deploy: $(($(date +%s) - start))s"
echo "check-deploy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
