"""StreamingDataset: the data server's batches as a torch IterableDataset."""

import atexit
import logging
import multiprocessing
import time
from typing import Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Union

import numpy as np
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from ._proto import dataserver_pb2 as pb
from .batch import to_batch
from .bufpool import BufferPool
from .distributed import global_stream, rank_world
from .errors import ConfigError, StateError
from .feedback import Mining
from .options import (STREAM_KINDS, LossWeightsLike, Mix, MixLike, as_loss_weights, as_mix, check_split, check_uint,
                      stream_names, wire_streams)
from .prefetch import Pipeline
from .replay import replay_message, samples_of
from .retry import RetryPolicy
from .state import STATE_VERSION, Position
from .stream import BatchStream, ResumeEvent
from .transport import DEFAULT_MAX_MESSAGE_BYTES, Connection, TLSOptions

log = logging.getLogger("starlight_dataserver")


_exit_pause_registered = False


def _pause_at_worker_exit() -> None:
    """Registers, once per DataLoader worker process, a short pause at exit.
    Closing the last gRPC channel starts gRPC's shutdown in a thread of its
    own; a spawned worker that exits while it runs can abort ("terminate
    called without an active exception"). The pause lets it finish."""
    global _exit_pause_registered
    if not _exit_pause_registered:
        _exit_pause_registered = True
        atexit.register(time.sleep, _EXIT_PAUSE)


_EXIT_PAUSE = 0.3


def _log_resume(ev: ResumeEvent) -> None:
    log.warning("stream from %s failed (%s); resuming in %.2fs (attempt %d) from cursor %r",
                ev.peer, ev.error.code().name if hasattr(ev.error, "code") else ev.error, ev.delay, ev.attempt, ev.cursor)


class StreamingDataset(IterableDataset):
    """Training batches from a data server, one dict per batch (iterate it in
    a DataLoader with ``batch_size=None``, or use ``loader()``).

    Each DataLoader worker reads a stream of its own: worker w of W on rank r
    of R reads global rank w*R + r of world R*W, so ranks and workers see
    disjoint samples. Rank and world size come from the arguments, else
    torch.distributed, else RANK / WORLD_SIZE, else 0 and 1.

    A stream resumes by itself from its last cursor on transient errors
    (UNAVAILABLE and the like), failing over to the next address.
    ``state_dict()`` holds the cursor of the last batch delivered on every
    stream; ``load_state_dict()`` on a new dataset resumes exactly there,
    also with another number of ranks or DataLoader workers (an elastic
    resume: ranks in step have consumed a prefix of the epoch, and the rest
    is divided among the new ones; no sample is lost or repeated).

    Arguments:
        addresses: "host:port", "a:1,b:2", a list of them, or one gRPC target
            such as "dns:///name:port".
        batch_size: samples per batch on every rank and worker.
        mix: clean, stego and negative weights: Mix, dict or triple; None is 1:1:1.
        loss_weights: LossWeights or dict; None keeps the server's defaults.
        class_balance: draw stego samples evenly over the five techniques.
        pairing: put each stego right after its cover in the same batch (the
            batch's ``pair_index`` numbers the pairs); negatives stay single.
        stegos_per_cover: with pairing, up to this many stegos follow their
            cover (0 means 1).
        augment: apply one of the eight rotations/flips of the square to
            each sample, the same within a pair (the batch's ``transforms``).
        seed: seed of the shuffles.
        epoch: first epoch streamed; epochs: how many one iteration streams.
        streams: stream names to carry (default all eight, see STREAMS).
        alpha_channels: 1 (alpha LSB plane) or 2 ([alpha/255, alpha & 1]).
        pack_bit_planes: have the server pack 0/1 planes 8 per byte.
        rank, world_size: override the discovered ones.
        token: bearer token; tls, ca_file, cert_file, key_file, server_name,
            insecure: see TLSOptions (default: TLS unless every address is loopback).
        consumer: name in the server's statistics.
        snapshot_id: pin a snapshot ("" is the current one).
        max_batches: cap on the batches of one iteration per stream (0: none).
        retry: RetryPolicy of the resumption.
        ready_timeout: seconds to wait for a replica to report SERVING before
            streaming (None: do not wait).
        on_resume: called with a ResumeEvent before every resumption (default: a log warning).
        mining: Mining, hard-sample mining by the losses a LossReporter reports.
        split: the split drawn from: "train" (default), "val", "test" or "all".
            The server assigns whole cover groups (a cover, its stegos and
            every byte-identical copy) to one split.
        evaluation: one evaluation pass per epoch: every sample of the split
            exactly once in a fixed order, no mix weighting, upsampling or
            class balance (mix and class_balance are ignored); the last batch
            may be short, and ranks' batches_per_epoch differ by at most one.
            ``evaluation_dataset("val")`` returns such a dataset beside a
            training one, ``evaluation_loader("val")`` a loader of it.
        dtype: "float32" (the model's inputs as float32 on the CPU) or "uint8"
            (their uint8 values, a quarter of the bytes: move them to the
            device and normalise there with ``normalize(batch, device)``,
            which gives the float32 values bit for bit).
        prefetch: batches received and converted ahead in background
            threads while the loop trains (0: receive and convert in the
            loop's thread).
        convert_threads: threads converting batches beside the one that
            receives them (0: it converts too); the output arrays of dropped
            batches are reused (see BufferPool).
    """

    def __init__(self, addresses: Union[str, Sequence[str]], *, batch_size: int,
                 mix: MixLike = None, loss_weights: LossWeightsLike = None, class_balance: bool = False,
                 pairing: bool = False, stegos_per_cover: int = 0, augment: bool = False,
                 seed: int = 0, epoch: int = 0, epochs: int = 1, streams: Optional[Sequence[str]] = None,
                 alpha_channels: int = 1, pack_bit_planes: bool = True,
                 rank: Optional[int] = None, world_size: Optional[int] = None,
                 token: Optional[str] = None, tls: Optional[bool] = None, ca_file: Optional[str] = None,
                 cert_file: Optional[str] = None, key_file: Optional[str] = None,
                 server_name: Optional[str] = None, insecure: bool = False,
                 consumer: str = "", snapshot_id: str = "", max_batches: int = 0,
                 retry: RetryPolicy = RetryPolicy(), max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
                 ready_timeout: Optional[float] = 60.0,
                 on_resume: Optional[Callable[[ResumeEvent], None]] = _log_resume,
                 mining: Optional[Mining] = None, split: str = "train", evaluation: bool = False,
                 dtype: str = "float32", prefetch: int = 2, convert_threads: int = 2):
        super().__init__()
        self._options = dict(
            batch_size=batch_size, mix=mix, loss_weights=loss_weights, class_balance=class_balance,
            pairing=pairing, stegos_per_cover=stegos_per_cover, augment=augment, mining=mining, seed=seed,
            epoch=epoch, epochs=epochs, streams=streams, alpha_channels=alpha_channels,
            pack_bit_planes=pack_bit_planes, rank=rank, world_size=world_size, token=token, tls=tls,
            ca_file=ca_file, cert_file=cert_file, key_file=key_file, server_name=server_name, insecure=insecure,
            consumer=consumer, snapshot_id=snapshot_id, max_batches=max_batches, retry=retry,
            max_message_bytes=max_message_bytes, ready_timeout=ready_timeout, on_resume=on_resume,
            split=split, evaluation=evaluation, dtype=dtype, prefetch=prefetch,
            convert_threads=convert_threads)
        self.split = check_split(split)
        self.evaluation = bool(evaluation)
        self.batch_size = check_uint("batch_size", batch_size, positive=True)
        self.mix = as_mix(mix)
        self.loss_weights = as_loss_weights(loss_weights)
        self.class_balance = bool(class_balance)
        self.pairing = bool(pairing)
        self.stegos_per_cover = check_uint("stegos_per_cover", stegos_per_cover)
        self.augment = bool(augment)
        self.seed = check_uint("seed", seed, bits=64)
        self.epoch = check_uint("epoch", epoch, bits=64)
        self.epochs = check_uint("epochs", epochs, bits=64, positive=True)
        self.streams = stream_names(streams)
        self.alpha_channels = alpha_channels
        self._wire = wire_streams(self.streams, alpha_channels)
        self.pack_bit_planes = bool(pack_bit_planes)
        if dtype not in ("float32", "uint8"):
            raise ConfigError(f"dtype {dtype!r}: want 'float32' or 'uint8'")
        self.dtype = dtype
        self.prefetch = check_uint("prefetch", prefetch)
        self.convert_threads = check_uint("convert_threads", convert_threads)
        #: False gives every batch new arrays instead of reusing those of
        #: dropped batches (BufferPool); for measurements.
        self.reuse_arrays = True
        self.max_batches = check_uint("max_batches", max_batches)
        if not isinstance(consumer, str) or not isinstance(snapshot_id, str):
            raise ConfigError("consumer and snapshot_id must be strings")
        self.consumer = consumer
        self.snapshot_id = snapshot_id
        self._rank_arg = rank
        self._world_arg = world_size
        self._rank_world = None
        if rank is not None or world_size is not None:
            self._rank_world = rank_world(rank, world_size)
        self.tls = TLSOptions(enabled=tls, ca_file=ca_file, cert_file=cert_file, key_file=key_file,
                              server_name=server_name, insecure=insecure)
        self.token = token
        self.max_message_bytes = max_message_bytes
        self.retry = retry
        self.ready_timeout = ready_timeout
        self.on_resume = on_resume
        if mining is not None and not isinstance(mining, Mining):
            raise ConfigError("mining must be a Mining")
        self.mining = mining
        # Check the target list and the TLS options now, not in a worker.
        Connection(addresses, token=token, tls=self.tls, max_message_bytes=max_message_bytes).close()
        self.addresses = addresses
        # The resumable position: positions[s] is the last batch delivered
        # on stream s of num_streams; next_stream is the stream whose batch
        # an uninterrupted DataLoader would deliver next.
        self._positions: Dict[int, Position] = {}
        self._num_streams: Optional[int] = None
        self._next_stream = 0
        # _layout is the (rank, world size) the positions were taken with;
        # _elastic, after an elastic resume, is (cursor, epoch) where every
        # stream of the new layout without a position of its own starts.
        self._layout: Optional[tuple] = None
        self._elastic: Optional[tuple] = None
        # _last is (stream, Position) of the last batch delivered, which
        # set_epoch does not drop: an elastic resume counts from it.
        self._last: Optional[tuple] = None

    # -- where this process reads -------------------------------------------

    def rank_world(self) -> tuple:
        """Returns (rank, world size) of this trainer, discovering them once
        (see the class documentation)."""
        if self._rank_world is None:
            self._rank_world = rank_world(self._rank_arg, self._world_arg)
        return self._rank_world

    @property
    def end_epoch(self) -> int:
        """The epoch an iteration stops before."""
        return self.epoch + self.epochs

    def _wire_end_epoch(self) -> int:
        """end_epoch as the request carries it (a uint64, exclusive): 0 for
        the top epoch 2^64-1, which has no successor and is streamed alone;
        otherwise at most 2^64-1."""
        if self.epoch == (1 << 64) - 1:
            return 0
        return min(self.end_epoch, (1 << 64) - 1)

    def set_epoch(self, epoch: int, epochs: Optional[int] = None) -> None:
        """Makes the next iteration stream epochs [epoch, epoch + epochs).
        Positions that resume inside that range are kept (a checkpoint taken
        in the middle of the epoch resumes there); the others are dropped."""
        self.epoch = check_uint("epoch", epoch, bits=64)
        if epochs is not None:
            self.epochs = check_uint("epochs", epochs, bits=64, positive=True)
        # A position at the end of an epoch says no more than a fresh start
        # of the next one, which also takes the server's current snapshot.
        self._positions = {s: p for s, p in self._positions.items()
                           if self.epoch <= p.next().epoch < self.end_epoch and p.next().batch > 0}
        if self._elastic is not None and not self.epoch <= self._elastic[1] < self.end_epoch:
            self._elastic = None
        if not self._positions:
            self._next_stream = 0

    def _advance_if_done(self) -> None:
        """When every stream has delivered its last batch, moves on to the
        following epochs, so iterating again continues the schedule."""
        n = self._num_streams
        if n and len(self._positions) == n and all(p.next().epoch >= self.end_epoch for p in self._positions.values()):
            self.set_epoch(self.end_epoch)

    # -- the request ----------------------------------------------------------

    def request(self, rank: int, world_size: int) -> "pb.StreamBatchesRequest":
        """Returns the StreamBatchesRequest of global rank of world_size (no cursor)."""
        req = pb.StreamBatchesRequest(
            batch_size=self.batch_size, class_balance=self.class_balance, seed=self.seed,
            epoch=self.epoch, end_epoch=self._wire_end_epoch(), rank=rank, world_size=world_size,
            pairing=self.pairing, stegos_per_cover=self.stegos_per_cover, augment=self.augment,
            streams=[STREAM_KINDS[n] for n in self._wire], snapshot_id=self.snapshot_id,
            consumer=self.consumer, pack_bit_planes=self.pack_bit_planes, max_batches=self.max_batches,
            split=self.split, evaluation=self.evaluation,
        )
        if not self.evaluation and self.mix != Mix():  # the zero Mix is "not given"; an evaluation pass has none
            req.mix.CopyFrom(self.mix.to_proto())
        if self.loss_weights is not None:
            req.loss_weights.CopyFrom(self.loss_weights.to_proto())
        if self.mining is not None:
            req.mining.CopyFrom(self.mining.to_proto())
        return req

    def connect(self, start: int = 0) -> Connection:
        """Opens a Connection to the server with this dataset's target, token
        and TLS options; ``start`` picks the first replica (modulo their number)."""
        return Connection(self.addresses, token=self.token, tls=self.tls,
                          max_message_bytes=self.max_message_bytes, start=start)

    # -- iteration ------------------------------------------------------------

    def __iter__(self) -> Iterator[Dict[str, object]]:
        info = get_worker_info()
        workers, worker = (info.num_workers, info.id) if info is not None else (1, 0)
        if info is None:
            self._advance_if_done()
        rank, world = self.rank_world()
        positions, elastic = self._positions, self._elastic
        if positions and (self._num_streams != workers or self._layout != (rank, world)):
            # An elastic resume: the old layout's streams stop, every new
            # one starts from the prefix they consumed together.
            elastic = self._elastic_of(positions)
            positions = {}
        s, grank, gworld = global_stream(rank, world, worker, workers, self._next_stream if positions else 0)
        req = self.request(grank, gworld)
        pos = positions.get(s)
        expect = None
        if pos is not None:
            req.cursor = pos.cursor
            expect = pos.next()
        elif elastic is not None:
            req.cursor = elastic[0]
        return self._generate(req, expect, s, workers, grank, gworld)

    def _generate(self, req, expect, s, workers, grank, gworld):
        if get_worker_info() is not None:
            _pause_at_worker_exit()
        conn = self.connect(start=grank)
        ahead = None
        try:
            if self.ready_timeout is not None:
                conn.wait_ready(self.ready_timeout)
            stream = BatchStream(conn, req, retry=self.retry, expect=expect, on_resume=self.on_resume)
            # Reuses the arrays of batches the loop has dropped: those ahead,
            # the one in the loop, those converting and a few the loop may
            # keep a little longer (twice: pixel and lsb share a shape).
            alloc = BufferPool(keep=2 * (self.prefetch + self.convert_threads + 4)).empty if self.reuse_arrays else np.empty

            def convert(msg):
                return self._batch(msg, s, workers, grank, gworld, alloc)
            if self.prefetch > 0 and get_worker_info() is None:
                # A worker process is already off the training thread.
                batches = ahead = Pipeline(stream, self.prefetch, convert, workers=self.convert_threads)
            else:
                batches = (convert(msg) for msg in stream)
            for b in batches:
                self.record(b)
                yield b
        finally:
            if ahead is not None:
                ahead.stop()
            conn.close()  # ends a receive the background thread may wait in
            if ahead is not None:
                ahead.close()

    def _batch(self, msg, s, workers, grank, gworld, alloc) -> Dict[str, object]:
        b = to_batch(msg, self.streams, self.alpha_channels, self.dtype, alloc)
        b["stream"] = s
        b["num_streams"] = workers
        b["rank"] = grank
        b["world_size"] = gworld
        return b

    def record(self, batch: Mapping[str, object]) -> None:
        """Notes that batch was delivered to the training loop, so
        state_dict() resumes right after it. Iterating the dataset in this
        process records by itself; with DataLoader workers the batches come
        from other processes, so call this on every batch the loop takes (or
        iterate ``loader()``, which does). Recording a batch twice is harmless."""
        try:
            s, workers = int(batch["stream"]), int(batch["num_streams"])
            pos = Position(cursor=batch["cursor"], epoch=int(batch["epoch"]), batch_index=int(batch["batch_index"]),
                           batches_per_epoch=int(batch["batches_per_epoch"]), snapshot_id=batch.get("snapshot_id", ""))
        except (KeyError, TypeError, ValueError) as e:
            raise StateError(f"record: {e!r}: not a batch of a StreamingDataset") from None
        layout = (int(batch.get("rank", 0)) % max(1, int(batch.get("world_size", 1)) // workers),
                  int(batch.get("world_size", workers)) // workers)
        if self._num_streams != workers or self._layout != layout:
            if self._positions and self._elastic is None:
                # the first batch of an elastic resume: later loaders of
                # this layout start the streams that have none from there
                self._elastic = self._elastic_of(self._positions)
            self._positions = {}
            self._num_streams = workers
            self._layout = layout
        self._positions[s] = pos
        self._last = (s, pos)
        self._next_stream = (s + 1) % workers
        if len(self._positions) == workers:
            self._elastic = None

    def replay(self, receipt: str, *, timeout: float = 120.0) -> Dict[str, object]:
        """Returns the batch a receipt (``batch["receipt"]``) names, as the
        dict the stream gave (with this dataset's streams and alpha layout),
        from any replica over the same tree, before or after a restart. A
        file changed since raises StreamError (FAILED_PRECONDITION) naming it;
        never other bytes under the receipt. It does not move state_dict()."""
        with self.connect() as conn:
            msg = replay_message(conn, receipt, retry=self.retry, timeout=timeout)
        return to_batch(msg, self.streams, self.alpha_channels)

    def explain(self, receipt: str, *, timeout: float = 120.0) -> List[Dict[str, object]]:
        """Lists the samples of the batch a receipt names without tensors:
        one dict per sample with path, submission, kind, technique, category,
        loss_weight and content_id."""
        with self.connect() as conn:
            return samples_of(replay_message(conn, receipt, columns_only=True, retry=self.retry, timeout=timeout))

    def loader(self, **kwargs) -> "StreamingLoader":
        """Returns a DataLoader over this dataset (batch_size=None; any other
        DataLoader argument, e.g. num_workers, pin_memory) that records every
        batch it yields, so state_dict() follows the training loop. Workers
        come from worker_context() unless multiprocessing_context is given."""
        if kwargs.get("persistent_workers"):
            raise ConfigError("persistent_workers: a worker would keep its old position across epochs; leave it off")
        if kwargs.setdefault("batch_size", None) is not None:
            raise ConfigError("batch_size: the server batches; pass batch_size to the dataset, not the loader")
        if kwargs.get("num_workers", 0) > 0 and "multiprocessing_context" not in kwargs:
            kwargs["multiprocessing_context"] = worker_context()
        self.rank_world()  # discover it here, before the workers start
        return StreamingLoader(self, DataLoader(self, **kwargs))

    def evaluation_dataset(self, split: str = "val", **overrides) -> "StreamingDataset":
        """Returns the dataset of an evaluation pass over ``split`` with this
        dataset's server, credentials, batch size, streams and rank layout:
        every sample of the split once per iteration, in a fixed order.
        ``overrides`` change any other argument (e.g. consumer)."""
        kw = dict(self._options)
        kw.update(split=split, evaluation=True, mix=None, class_balance=False, pairing=False, stegos_per_cover=0,
                  augment=False, mining=None, epoch=0, epochs=1, max_batches=0)
        kw.update(overrides)
        return StreamingDataset(self.addresses, **kw)

    def evaluation_loader(self, split: str = "val", **loader_kwargs) -> "StreamingLoader":
        """Returns a loader of one evaluation pass over ``split`` beside this
        training dataset: ``for batch in ds.evaluation_loader("val"): ...``
        (DataLoader arguments such as num_workers pass through)."""
        return self.evaluation_dataset(split).loader(**loader_kwargs)

    # -- checkpoints ----------------------------------------------------------

    def _fingerprint(self) -> Dict[str, object]:
        m = self.mix
        return {"seed": self.seed, "batch_size": self.batch_size, "mix": [m.clean, m.stego, m.negative],
                "class_balance": self.class_balance, "pairing": self.pairing,
                "stegos_per_cover": self.stegos_per_cover, "augment": self.augment,
                "split": self.split, "evaluation": self.evaluation}

    def _elastic_of(self, positions: Dict[int, Position]) -> tuple:
        """(elastic cursor, epoch) after the last batch of positions, taken
        with this dataset's recorded layout."""
        if self._last is not None:
            last, pos = self._last
        else:
            last = (self._next_stream - 1) % self._num_streams
            pos = positions.get(last) or positions[max(positions)]
        return pos.elastic_cursor(last, self._num_streams, self._layout[1]), pos.epoch

    def state_dict(self) -> Dict[str, object]:
        """The position of the stream as plain values: the cursor of the last
        batch delivered on every stream, the epochs, the rank layout and the
        request options the cursors are bound to."""
        rank, world = self._layout or self.rank_world()
        return {
            "version": STATE_VERSION,
            "rank": rank,
            "world_size": world,
            "elastic": list(self._elastic) if self._elastic else None,
            "num_streams": self._num_streams,
            "next_stream": self._next_stream,
            "epoch": self.epoch,
            "epochs": self.epochs,
            "request": self._fingerprint(),
            "positions": {s: p.to_dict() for s, p in sorted(self._positions.items())},
        }

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Resumes from a state_dict(): the next iteration continues right
        after the last batch recorded. With the same ranks and num_workers
        each stream resumes from its own cursor; with another world size,
        rank or num_workers the resume is elastic (synchronous training: any
        rank's state tells how far the epoch went, and the rest of it is
        divided among the new ranks and workers). Raises StateError when the
        state was saved with other request options."""
        version = state.get("version") if isinstance(state, Mapping) else None
        if version not in (1, STATE_VERSION):
            raise StateError(f"state_dict version {version if isinstance(state, Mapping) else state!r}: want {STATE_VERSION}")
        if version == 1 and (state.get("num_streams") or 1) > 1:
            raise StateError("state_dict version 1 saved with DataLoader workers numbered its streams rank-major; "
                             "this client numbers them worker-major: start the epoch again")
        old_rank, old_world = state.get("rank"), state.get("world_size")
        for name, v, lo in (("rank", old_rank, 0), ("world_size", old_world, 1)):
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise StateError(f"state_dict {name} {v!r} is not an integer >= {lo}")
        if old_rank >= old_world:
            raise StateError(f"state_dict of rank {old_rank} of {old_world}")
        mine = self._fingerprint()
        theirs = dict({"pairing": False, "stegos_per_cover": 0, "augment": False}, **(state.get("request") or {}))
        if "mix" in theirs:
            theirs["mix"] = list(theirs["mix"])
        diff = sorted(k for k in mine if theirs.get(k) != mine[k])
        if diff:
            raise StateError("state_dict saved with other request options: " +
                             ", ".join(f"{k} {theirs.get(k)!r} (now {mine[k]!r})" for k in diff))
        raw = state.get("positions") or {}
        workers = state.get("num_streams")
        positions = {}
        for k, v in dict(raw).items():
            s = int(k)
            if workers is None or not 0 <= s < int(workers):
                raise StateError(f"state_dict position of stream {k!r} with {workers} streams")
            positions[s] = Position.from_dict(v)
        nxt = int(state.get("next_stream") or 0)
        if positions and not 0 <= nxt < int(workers):
            raise StateError(f"state_dict next_stream {nxt} with {workers} streams")
        self.epoch = check_uint("epoch", state.get("epoch"), bits=64)
        self.epochs = check_uint("epochs", state.get("epochs"), bits=64, positive=True)
        elastic = state.get("elastic")
        if elastic is not None:
            try:
                cursor, epoch = elastic
                elastic = (str(cursor), check_uint("elastic epoch", epoch, bits=64))
            except (TypeError, ValueError, ConfigError) as e:
                raise StateError(f"state_dict elastic {elastic!r}: {e}") from None
        self._positions = positions
        self._num_streams = int(workers) if workers is not None else None
        self._next_stream = nxt if positions else 0
        self._layout = (old_rank, old_world)
        self._elastic = elastic
        last = (nxt - 1) % int(workers) if positions else None
        self._last = (last, positions[last]) if last in positions else None


def worker_context():
    """The multiprocessing context for DataLoader workers: "forkserver" with
    torch and this package preloaded (workers start fast, from a process that
    never opened a gRPC channel), else "spawn". Plain fork is unsafe: gRPC's
    threads do not survive fork(), and a worker forked from a process that
    has used gRPC can crash."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # Takes effect when the fork server starts (the first time one is used).
    ctx.set_forkserver_preload(["torch", __package__])
    return ctx


class StreamingLoader:
    """A DataLoader over a StreamingDataset that records every batch it
    yields in the dataset (see StreamingDataset.record)."""

    def __init__(self, dataset: StreamingDataset, loader: DataLoader):
        self.dataset = dataset
        self.loader = loader

    def __iter__(self) -> Iterator[Dict[str, object]]:
        self.dataset._advance_if_done()
        for b in self.loader:
            self.dataset.record(b)
            yield b

    def state_dict(self) -> Dict[str, object]:
        """The dataset's state_dict."""
        return self.dataset.state_dict()

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """The dataset's load_state_dict (before iterating)."""
        self.dataset.load_state_dict(state)
