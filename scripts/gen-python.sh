#!/usr/bin/env bash
# Regenerates the Python stubs of proto/ into client/python/starlight_dataserver/_proto/
# with Debian's protoc (protobuf-compiler) and grpc_python_plugin
# (protobuf-compiler-grpc). CI runs this script and then `git diff --exit-code`
# to prove the committed stubs are current. The output depends only on the
# .proto files and the protoc version: no timestamps, no absolute paths.
# Usage: scripts/gen-python.sh
set -euo pipefail

cd "$(dirname "$0")/.."
PROTOC="${PROTOC:-protoc}"
PLUGIN="${GRPC_PYTHON_PLUGIN:-$(command -v grpc_python_plugin || true)}"
PYTHON="${PYTHON:-/usr/bin/python3}"
OUT=client/python/starlight_dataserver/_proto
PROTO=dataserver/v1/dataserver.proto

command -v "$PROTOC" >/dev/null || { echo "gen-python: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
[ -n "$PLUGIN" ] && [ -x "$PLUGIN" ] || { echo "gen-python: grpc_python_plugin not found (apt-get install protobuf-compiler-grpc)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The well-known google/protobuf/timestamp.proto: from libprotobuf-dev's
# /usr/include when installed, else as a descriptor set written from the
# protobuf runtime (python3-protobuf), which protoc reads with
# --descriptor_set_in. Only the import's name and package reach the output,
# so both give the same bytes.
includes=(-I proto)
if [ -f /usr/include/google/protobuf/timestamp.proto ]; then
  includes+=(-I /usr/include)
else
  "$PYTHON" - "$tmp/wkt.pb" <<'PY'
import sys
from google.protobuf import descriptor_pb2, timestamp_pb2
fds = descriptor_pb2.FileDescriptorSet()
timestamp_pb2.DESCRIPTOR.CopyToProto(fds.file.add())
with open(sys.argv[1], "wb") as f:
    f.write(fds.SerializeToString(deterministic=True))
PY
  includes+=(--descriptor_set_in="$tmp/wkt.pb")
fi

"$PROTOC" "${includes[@]}" \
  --python_out="$tmp" \
  --grpc_python_out="$tmp" \
  --plugin=protoc-gen-grpc_python="$PLUGIN" \
  "$PROTO"

mkdir -p "$OUT"
gen="$tmp/dataserver/v1"
# The message classes name their module after the .proto path; name the
# package's module instead, so they pickle and repr as importable.
sed -e "s/'dataserver\.v1\.dataserver_pb2'/'starlight_dataserver._proto.dataserver_pb2'/" \
  "$gen/dataserver_pb2.py" >"$OUT/dataserver_pb2.py"
# protoc writes an absolute import of the message module into the service
# stubs; inside the package it must be relative.
sed -e 's/^from dataserver\.v1 import dataserver_pb2 as /from . import dataserver_pb2 as /' \
  "$gen/dataserver_pb2_grpc.py" >"$OUT/dataserver_pb2_grpc.py"
if grep -q '^from dataserver\.' "$OUT/dataserver_pb2_grpc.py" "$OUT/dataserver_pb2.py"; then
  echo "gen-python: an absolute import of dataserver.* is left in $OUT" >&2
  exit 1
fi
cat >"$OUT/__init__.py" <<'PY'
"""Generated protobuf and gRPC stubs of dataserver.v1 (scripts/gen-python.sh; do not edit)."""
PY
echo "gen-python: wrote $OUT"
