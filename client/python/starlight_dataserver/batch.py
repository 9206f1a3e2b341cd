"""One batch message to the dict a training loop takes."""

from typing import Dict, Sequence

import numpy as np
import torch

from ._proto import dataserver_pb2 as pb
from .errors import TensorError
from .tensors import Alloc, model_tensors, one_hot

#: The keys of the model's inputs, in its order: the eight streams.
MODEL_INPUTS = ("pixel", "meta", "alpha", "lsb", "palette", "palette_lsb", "format", "content")

#: The keys of the per-sample targets, in the model's order: the bit-order
#: one-hot (an auxiliary target: it gives the label away, never feed it in),
#: the stego label, the method label and the loss weight.
TARGETS = ("bit_order", "label", "method", "loss_weight")

#: Kind codes of the "kind" tensor.
KIND_CLEAN, KIND_STEGO, KIND_NEGATIVE = pb.KIND_CLEAN, pb.KIND_STEGO, pb.KIND_NEGATIVE

#: Technique class names, by the "method" label (-1: clean or negative).
METHODS = ("alpha", "palette", "lsb.rgb", "exif", "raw")


def to_batch(msg, streams: Sequence[str], alpha_channels: int,
             dtype: str = "float32", alloc: Alloc = np.empty) -> Dict[str, object]:
    """Returns the batch dict of a message: the requested streams (model
    names, model order; float32, or their uint8 values with dtype "uint8",
    see normalize), then bit_order, label, method, loss_weight, kind and
    the per-sample ids, then the batch's place in the schedule. See the
    package documentation for each key. msg is a pb.StreamBatchesResponse
    or a wirebatch.WireBatch; the model inputs' arrays come from alloc (a
    BufferPool's empty to reuse those of batches the caller dropped)."""
    n = len(msg.content_ids)
    cols = {
        "paths": msg.paths, "submissions": msg.submissions, "labels": msg.labels,
        "kinds": msg.kinds, "technique_classes": msg.technique_classes,
        "bit_orders": msg.bit_orders, "negative_categories": msg.negative_categories,
        "loss_weights": msg.loss_weights,
    }
    for name, col in cols.items():
        if len(col) != n:
            raise TensorError(f"batch epoch {msg.epoch} index {msg.batch_index}: {len(col)} {name} for {n} samples")
    out: Dict[str, object] = dict(model_tensors(msg, streams, alpha_channels, dtype, alloc))
    out["bit_order"] = one_hot(msg.bit_order_one_hot, n)
    out["label"] = torch.from_numpy(np.fromiter(msg.labels, dtype=np.int64, count=n))
    out["method"] = torch.from_numpy(np.fromiter(msg.technique_classes, dtype=np.int64, count=n))
    out["loss_weight"] = torch.from_numpy(np.fromiter(msg.loss_weights, dtype=np.float32, count=n))
    out["kind"] = torch.from_numpy(np.fromiter(msg.kinds, dtype=np.int64, count=n))
    out["pair_index"], out["transforms"] = pairs_and_transforms(msg, n)
    out["content_ids"] = list(msg.content_ids)
    out["paths"] = list(msg.paths)
    out["submissions"] = list(msg.submissions)
    out["negative_categories"] = list(msg.negative_categories)
    out["snapshot_id"] = msg.snapshot_id
    out["extractor_version"] = msg.extractor_version
    out["epoch"] = int(msg.epoch)
    out["batch_index"] = int(msg.batch_index)
    out["batches_per_epoch"] = int(msg.batches_per_epoch)
    out["cursor"] = msg.cursor
    out["split"] = msg.split
    out["receipt"] = msg.receipt
    return out


def pairs_and_transforms(msg: "pb.StreamBatchesResponse", n: int) -> tuple:
    """Returns the batch's pair_index (int64, each sample's pair number in
    the batch, -1 outside a pair; all -1 without pairing) and transforms
    (int64, the D4 transform applied, 0..7; all 0 without augmentation)."""
    pairs, transforms = msg.pair_index, msg.transforms
    for name, col in (("pair_index", pairs), ("transforms", transforms)):
        if len(col) not in (0, n):
            raise TensorError(f"batch epoch {msg.epoch} index {msg.batch_index}: {len(col)} {name} for {n} samples")
    p = np.fromiter(pairs, dtype=np.int64, count=n) if len(pairs) else np.full(n, -1, dtype=np.int64)
    t = np.fromiter(transforms, dtype=np.int64, count=n) if len(transforms) else np.zeros(n, dtype=np.int64)
    if ((t < 0) | (t > 7)).any():
        raise TensorError(f"batch epoch {msg.epoch} index {msg.batch_index}: transform outside 0..7")
    return torch.from_numpy(p), torch.from_numpy(t)


def model_inputs(batch: Dict[str, object]) -> tuple:
    """Returns the model's inputs of a batch as a tuple in the model's order
    (MODEL_INPUTS), skipping streams the batch does not carry."""
    return tuple(batch[k] for k in MODEL_INPUTS if k in batch)


def targets(batch: Dict[str, object]) -> tuple:
    """Returns (bit_order, label, method, loss_weight) of a batch."""
    return tuple(batch[k] for k in TARGETS)
