#!/usr/bin/env bash
# Runs govulncheck offline: the vulnerability database's host is not
# reachable from here, so the database is built from the golang.org/x/vulndb
# module (its OSV files, fetched through the Go module proxy) with that
# module's own indexdb command, at a pinned version, and cached.
set -euo pipefail
cd "$(dirname "$0")/.."
VULNDB=v0.0.0-20261105234957-e22db6528018
GOVULNCHECK=golang.org/x/vuln/cmd/govulncheck@v1.1.4
gobin="$(go env GOPATH)/bin"
export PATH="$gobin:$PATH"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/starlight-dataserver/vulndb-$VULNDB"
if ! [ -x "$gobin/govulncheck" ] || ! grep -qsxF "$GOVULNCHECK" "$gobin/.govulncheck.version"; then
	go install "$GOVULNCHECK"
	echo "$GOVULNCHECK" > "$gobin/.govulncheck.version"
fi
if ! [ -f "$cache/index/db.json" ]; then
	src=$(go mod download -json "golang.org/x/vulndb@$VULNDB" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$work" && go mod init vulndb-build >/dev/null 2>&1 &&
		go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB" -vulns "$src/data/osv" -out "$work/db")
	mkdir -p "$(dirname "$cache")"
	rm -rf "$cache" && mv "$work/db" "$cache"
fi
echo "govulncheck with the database of golang.org/x/vulndb@$VULNDB"
govulncheck -db "file://$cache" ./...
