#!/usr/bin/env bash
# Regenerates the Go code of proto/ with pinned tools, installing them with
# `go install` when missing or at another version. CI runs this script and
# then `git diff --exit-code` to prove the committed code is current.
# Usage: scripts/gen-proto.sh [--lint]   (--lint also runs `buf lint`)
set -euo pipefail

BUF_VERSION=v1.75.0
PROTOC_GEN_GO_VERSION=v1.36.12
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2

cd "$(dirname "$0")/.."
GOBIN="$(go env GOBIN)"
[ -n "$GOBIN" ] || GOBIN="$(go env GOPATH)/bin"
export PATH="$GOBIN:$PATH"

# have NAME VERSION: true when NAME is on PATH and reports VERSION.
have() {
  command -v "$1" >/dev/null 2>&1 || return 1
  local got
  got="$("$1" --version 2>&1 || true)"
  case "$got" in
    *"${2#v}"*) return 0 ;;
    *) return 1 ;;
  esac
}

have protoc-gen-go "$PROTOC_GEN_GO_VERSION" ||
  go install "google.golang.org/protobuf/cmd/protoc-gen-go@${PROTOC_GEN_GO_VERSION}"
have protoc-gen-go-grpc "$PROTOC_GEN_GO_GRPC_VERSION" ||
  go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@${PROTOC_GEN_GO_GRPC_VERSION}"
have buf "$BUF_VERSION" ||
  go install "github.com/bufbuild/buf/cmd/buf@${BUF_VERSION}"

if [ "${1:-}" = "--lint" ]; then
  buf lint
fi
buf generate
