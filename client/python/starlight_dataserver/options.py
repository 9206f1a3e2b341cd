"""Request options: the mix, the loss weights, the streams and their order."""

from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Sequence, Tuple, Union

from ._proto import dataserver_pb2 as pb
from .errors import ConfigError

#: The eight streams in the upstream model's order; the default request.
STREAMS: Tuple[str, ...] = (
    "pixel", "meta", "alpha", "lsb", "palette", "palette_lsb", "format", "content",
)

#: The wire kind of each stream name (alpha depends on alpha_channels).
STREAM_KINDS: Dict[str, int] = {
    "pixel": pb.STREAM_KIND_PIXEL,
    "meta": pb.STREAM_KIND_META,
    "alpha": pb.STREAM_KIND_ALPHA,
    "alpha_full": pb.STREAM_KIND_ALPHA_FULL,
    "lsb": pb.STREAM_KIND_LSB,
    "palette": pb.STREAM_KIND_PALETTE,
    "palette_lsb": pb.STREAM_KIND_PALETTE_LSB,
    "format": pb.STREAM_KIND_FORMAT,
    "content": pb.STREAM_KIND_CONTENT,
}

#: Largest value a uint32 request field holds.
_U32 = (1 << 32) - 1
_U64 = (1 << 64) - 1


@dataclass(frozen=True)
class Mix:
    """Weights of clean, stego and negative samples in every batch. The zero
    Mix() stands for "not given": the request leaves the mix out and the
    server uses its default 1:1:1 (an explicit 0:0:0 is refused by as_mix)."""

    clean: int = 0
    stego: int = 0
    negative: int = 0

    def to_proto(self) -> "pb.Mix":
        """Returns the wire message."""
        return pb.Mix(clean=self.clean, stego=self.stego, negative=self.negative)


@dataclass(frozen=True)
class LossWeights:
    """Per-sample loss weights the server sends; None takes the server's
    default (clean 1, stego 1, negative 2). ``negative_categories`` maps a
    negative category (e.g. "rgb_no_alpha") to its weight."""

    clean: Optional[float] = None
    stego: Optional[float] = None
    negative: Optional[float] = None
    negative_categories: Mapping[str, float] = field(default_factory=dict)

    def to_proto(self) -> "pb.LossWeights":
        """Returns the wire message."""
        m = pb.LossWeights()
        for name in ("clean", "stego", "negative"):
            v = getattr(self, name)
            if v is not None:
                setattr(m, name, float(v))
        for k, v in sorted(self.negative_categories.items()):
            m.negative_categories[k] = float(v)
        return m


MixLike = Union[None, Mix, Mapping[str, int], Sequence[int]]
LossWeightsLike = Union[None, LossWeights, Mapping[str, object]]


def as_mix(m: MixLike) -> Mix:
    """Reads a mix given as a Mix, a dict {clean, stego, negative} or a
    (clean, stego, negative) triple; None is the default 1:1:1."""
    if m is None:
        return Mix()
    if isinstance(m, Mix):
        out = m
    elif isinstance(m, Mapping):
        extra = set(m) - {"clean", "stego", "negative"}
        if extra:
            raise ConfigError(f"mix: unknown kinds {sorted(extra)} (want clean, stego, negative)")
        out = Mix(**{k: m[k] for k in m})
    else:
        vals = tuple(m)
        if len(vals) != 3:
            raise ConfigError(f"mix: {m!r} is not a (clean, stego, negative) triple")
        out = Mix(*vals)
    for name in ("clean", "stego", "negative"):
        v = getattr(out, name)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= _U32:
            raise ConfigError(f"mix: {name} weight {v!r} is not an integer in 0..{_U32}")
    if out == Mix():
        raise ConfigError("mix: 0:0:0 serves nothing: leave mix out (None) for the default 1:1:1, "
                          "or give at least one positive weight")
    return out


def as_loss_weights(w: LossWeightsLike) -> Optional[LossWeights]:
    """Reads loss weights given as LossWeights or a dict with the same keys;
    None leaves them to the server."""
    if w is None:
        return None
    if isinstance(w, Mapping):
        extra = set(w) - {"clean", "stego", "negative", "negative_categories"}
        if extra:
            raise ConfigError(f"loss_weights: unknown keys {sorted(extra)}")
        w = LossWeights(**dict(w))
    if not isinstance(w, LossWeights):
        raise ConfigError(f"loss_weights: {w!r} is neither LossWeights nor a dict")
    for name in ("clean", "stego", "negative"):
        v = getattr(w, name)
        if v is not None and not _finite_non_negative(v):
            raise ConfigError(f"loss_weights: {name} weight {v!r} is not a finite number >= 0")
    for k, v in w.negative_categories.items():
        if not isinstance(k, str) or not k:
            raise ConfigError(f"loss_weights: negative category {k!r} is not a name")
        if not _finite_non_negative(v):
            raise ConfigError(f"loss_weights: weight {v!r} of category {k!r} is not a finite number >= 0")
    return w


def _finite_non_negative(v) -> bool:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return False
    return f == f and 0 <= f < float("inf")


def stream_names(streams: Optional[Sequence[str]]) -> Tuple[str, ...]:
    """Checks a list of stream names and returns it in the model's order
    (STREAMS); None or empty means all eight."""
    if not streams:
        return STREAMS
    if isinstance(streams, str):
        streams = [s.strip() for s in streams.split(",") if s.strip()]
    unknown = [s for s in streams if s not in STREAMS]
    if unknown:
        raise ConfigError(f"streams: unknown {unknown} (choose from {', '.join(STREAMS)})")
    if len(set(streams)) != len(streams):
        raise ConfigError(f"streams: {list(streams)} names a stream twice")
    return tuple(s for s in STREAMS if s in streams)


def wire_streams(names: Sequence[str], alpha_channels: int) -> Tuple[str, ...]:
    """Returns the wire stream names to request for the model's streams:
    "alpha" becomes "alpha_full" when the model takes two alpha channels."""
    if alpha_channels not in (1, 2):
        raise ConfigError(f"alpha_channels: {alpha_channels!r} is neither 1 nor 2")
    return tuple("alpha_full" if (n == "alpha" and alpha_channels == 2) else n for n in names)


def check_uint(name: str, v, bits: int = 32, positive: bool = False) -> int:
    """Checks that v is an integer fitting an unsigned field of the given
    width (and > 0 when positive) and returns it."""
    top = _U32 if bits == 32 else _U64
    if isinstance(v, bool) or not isinstance(v, int) or v < (1 if positive else 0) or v > top:
        lo = 1 if positive else 0
        raise ConfigError(f"{name}: {v!r} is not an integer in {lo}..{top}")
    return v
