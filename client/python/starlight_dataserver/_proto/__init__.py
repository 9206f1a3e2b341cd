"""Generated protobuf and gRPC stubs of dataserver.v1 (scripts/gen-python.sh; do not edit)."""
