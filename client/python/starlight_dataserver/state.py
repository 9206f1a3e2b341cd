"""The resumable position of a StreamingDataset: the cursor of the last batch
delivered on each stream, as a plain dict for checkpoints."""

from dataclasses import dataclass
from typing import Dict, Mapping

from .errors import StateError
from .stream import Place, next_place

#: Version of the state_dict layout. Version 2 numbers the worker streams
#: worker-major (see distributed.global_stream); a version 1 state is read
#: when it was saved without DataLoader workers (both numberings agree).
STATE_VERSION = 2


@dataclass(frozen=True)
class Position:
    """The last batch delivered on one stream: its cursor and its place."""

    cursor: str
    epoch: int
    batch_index: int
    batches_per_epoch: int
    snapshot_id: str = ""

    def next(self) -> Place:
        """The place of the batch the cursor resumes at."""
        return next_place(self.epoch, self.batch_index, self.batches_per_epoch)

    def elastic_cursor(self, stream: int, num_streams: int, world: int) -> str:
        """The elastic cursor resuming, with any number of ranks and
        workers, after this position, the last batch delivered by a loader
        of ``world`` ranks of ``num_streams`` worker streams whose delivery
        had just reached ``stream``: every rank, in step, had taken
        t = batch_index * num_streams + stream + 1 batches of the epoch's
        division, so t * world of them are consumed. The server's elastic
        form: the cursor, a dot, that count."""
        t = self.batch_index * num_streams + stream + 1
        return f"{self.cursor}.{t * world}"

    def to_dict(self) -> Dict[str, object]:
        """The position as plain values."""
        return {"cursor": self.cursor, "epoch": self.epoch, "batch_index": self.batch_index,
                "batches_per_epoch": self.batches_per_epoch, "snapshot_id": self.snapshot_id}

    @staticmethod
    def from_dict(d: Mapping[str, object]) -> "Position":
        """Reads a position written by to_dict, checking its fields."""
        try:
            p = Position(cursor=d["cursor"], epoch=d["epoch"], batch_index=d["batch_index"],
                         batches_per_epoch=d["batches_per_epoch"], snapshot_id=d.get("snapshot_id", ""))
        except (KeyError, TypeError) as e:
            raise StateError(f"state_dict position {d!r}: missing {e}") from None
        if not isinstance(p.cursor, str) or not p.cursor:
            raise StateError(f"state_dict position: cursor {p.cursor!r} is not a non-empty string")
        for name in ("epoch", "batch_index", "batches_per_epoch"):
            v = getattr(p, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise StateError(f"state_dict position: {name} {v!r} is not an integer >= 0")
        if p.batch_index >= p.batches_per_epoch:
            raise StateError(f"state_dict position: batch {p.batch_index} of {p.batches_per_epoch} per epoch")
        return p
