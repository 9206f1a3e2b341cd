"""Receipts: give back the batch a receipt names (ReplayBatch), or list its
samples without tensors (explain)."""

import time
from typing import Dict, List, Optional, Sequence, Union

import grpc

from ._proto import dataserver_pb2 as pb
from .errors import ConfigError, StreamError
from .retry import RetryPolicy, is_transient
from .transport import Connection, TLSOptions

#: Technique class names, by class number (-1: clean or negative).
_METHODS = ("alpha", "palette", "lsb.rgb", "exif", "raw")
_KINDS = {pb.KIND_CLEAN: "clean", pb.KIND_STEGO: "stego", pb.KIND_NEGATIVE: "negative"}


def replay_message(conn: Connection, receipt: str, *, columns_only: bool = False,
                   retry: RetryPolicy = RetryPolicy(), timeout: float = 120.0) -> "pb.StreamBatchesResponse":
    """Calls ReplayBatch and returns the batch message, equal to the one first
    sent (without tensors when columns_only). Transient errors are retried on
    the next replica; any other status raises StreamError with its code: a
    changed file or a snapshot no longer served is FAILED_PRECONDITION, its
    message naming the files."""
    if not isinstance(receipt, str) or not receipt:
        raise ConfigError("receipt must be a non-empty string (a batch's batch['receipt'])")
    req = pb.ReplayBatchRequest(receipt=receipt, columns_only=bool(columns_only))
    attempt = 0
    while True:
        attempt += 1
        try:
            return conn.stub().ReplayBatch(req, metadata=conn.metadata, timeout=timeout).batch
        except grpc.RpcError as e:
            if not is_transient(e) or attempt >= retry.max_attempts:
                raise StreamError(f"replay of receipt {receipt[:24]}... on {conn.current}: {e.code().name}: {e.details()}",
                                  code=e.code()) from None
            conn.fail_over()
            time.sleep(retry.delay(attempt))


def samples_of(msg: "pb.StreamBatchesResponse") -> List[Dict[str, object]]:
    """One dict per sample of a batch message: path, submission, kind,
    technique, category, loss_weight and content_id."""
    out = []
    for i, path in enumerate(msg.paths):
        c = msg.technique_classes[i] if i < len(msg.technique_classes) else -1
        out.append({
            "path": path,
            "submission": msg.submissions[i] if i < len(msg.submissions) else "",
            "kind": _KINDS.get(msg.kinds[i], "unspecified") if i < len(msg.kinds) else "unspecified",
            "technique": _METHODS[c] if 0 <= c < len(_METHODS) else "",
            "category": msg.negative_categories[i] if i < len(msg.negative_categories) else "",
            "loss_weight": float(msg.loss_weights[i]) if i < len(msg.loss_weights) else 0.0,
            "content_id": msg.content_ids[i] if i < len(msg.content_ids) else "",
        })
    return out


def explain(addresses: Union[str, Sequence[str]], receipt: str, *, token: Optional[str] = None,
            tls: TLSOptions = TLSOptions(), retry: RetryPolicy = RetryPolicy(),
            timeout: float = 120.0) -> List[Dict[str, object]]:
    """Lists the samples of the batch a receipt names (see samples_of),
    without its tensors; the server still checks the batch's files."""
    with Connection(addresses, token=token, tls=tls) as conn:
        return samples_of(replay_message(conn, receipt, columns_only=True, retry=retry, timeout=timeout))
