"""Python client of the starlight data server for PyTorch trainers.

``StreamingDataset`` streams training batches from the server's
``dataserver.v1.DataService/StreamBatches`` and yields one dict per batch,
its tensors in the upstream model's order (B is the batch size; every float
tensor is float32):

=====================  ===============  ==========================================
key                    shape / type     value
=====================  ===============  ==========================================
pixel                  [B,3,256,256]    RGB crop, value/255
meta                   [B,2048]         EXIF bytes + file tail, value/255
alpha                  [B,1,256,256]    alpha LSB plane, 0/1 (alpha_channels=1)
                       [B,2,256,256]    [alpha/255, alpha & 1] (alpha_channels=2)
lsb                    [B,3,256,256]    pixel & 1, 0/1
palette                [B,768]          palette RGB bytes, value/255
palette_lsb            [B,1,256,256]    LSB of the paletted image as L, 0/1
format                 [B,6]            has_alpha, alpha std, is_palette, is_rgb, w/256, h/256
content                [B,6]            LSB byte statistics (RGB, then alpha)
bit_order              [B,3]            one-hot [lsb-first, msb-first, none] (a target)
label                  [B] int64        1 stego, 0 clean or negative
method                 [B] int64        technique class 0..4 (METHODS), -1 clean/negative
loss_weight            [B] float32      per-sample loss weight
kind                   [B] int64        1 clean, 2 stego, 3 negative
pair_index             [B] int64        pair number in the batch (pairing), -1 outside a pair
transforms             [B] int64        D4 transform applied (augment): 0 none, 1-3 quarter
                                        turns counterclockwise, 4-7 a mirror then 0-3 turns
content_ids, paths     list[str]        sha256 of the file, path under the root
submissions            list[str]        submission folder
negative_categories    list[str]        negative category, "" for other kinds
=====================  ===============  ==========================================

plus the batch's place: ``snapshot_id``, ``extractor_version``, ``epoch``,
``batch_index``, ``batches_per_epoch`` (this rank's: in an evaluation pass
ranks differ by at most one), ``cursor``, ``split``, ``receipt`` (names the
batch exactly: ``ds.replay(receipt)`` gives it back, ``explain(addr, receipt)``
lists its samples), and the stream that sent
it: ``stream`` and ``num_streams`` (DataLoader worker streams of this rank),
``rank`` and ``world_size`` (the global rank the server scheduled).
Only the requested streams are present; ``model_inputs(batch)`` returns the
model's inputs (the streams, MODEL_INPUTS) as a tuple and ``targets(batch)``
the targets (TARGETS: bit_order, label, method, loss_weight). bit_order is
"none" for every clean sample: it is a target, never an input.
"""

from .bufpool import BufferPool
from .batch import KIND_CLEAN, KIND_NEGATIVE, KIND_STEGO, METHODS, MODEL_INPUTS, TARGETS, model_inputs, targets, to_batch
from .dataset import StreamingDataset, StreamingLoader
from .distributed import rank_world
from .feedback import LossReporter, Mining
from .errors import ConfigError, DataServerError, DiscontinuityError, StateError, StreamError, TensorError
from .options import SPLITS, STREAMS, LossWeights, Mix
from .replay import explain
from .retry import RetryPolicy, is_transient, retry_delay
from .status import StatusDetails, details_of
from .stream import BatchStream, ResumeEvent
from .tensors import normalize
from .transport import Connection, TLSOptions, health_check

__all__ = [
    "StreamingDataset", "StreamingLoader", "BatchStream", "Connection", "TLSOptions", "RetryPolicy",
    "ResumeEvent", "Mix", "LossWeights", "STREAMS", "SPLITS", "MODEL_INPUTS", "METHODS", "KIND_CLEAN", "KIND_STEGO",
    "KIND_NEGATIVE", "TARGETS", "model_inputs", "targets", "to_batch", "rank_world", "is_transient", "retry_delay",
    "details_of", "StatusDetails", "health_check", "LossReporter", "Mining", "explain", "normalize", "BufferPool",
    "DataServerError", "ConfigError", "StreamError", "DiscontinuityError", "TensorError", "StateError",
]
