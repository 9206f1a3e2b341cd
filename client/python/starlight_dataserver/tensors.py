"""Tensor decoding: wire Tensor messages to numpy arrays without a copy per
sample, and a batch message to the dict of torch tensors the model takes."""

from typing import Callable, Dict, Sequence, Tuple

import numpy as np
import torch

from ._proto import dataserver_pb2 as pb
from .errors import TensorError

#: Largest number of values one tensor may declare (4 GiB of uint8); a larger
#: shape is refused before anything is allocated.
MAX_TENSOR_ELEMENTS = 1 << 32

#: Per-sample shape and dtype of every wire stream.
WIRE_SHAPES: Dict[str, Tuple[Tuple[int, ...], int]] = {
    "pixel": ((3, 256, 256), pb.DTYPE_UINT8),
    "meta": ((2048,), pb.DTYPE_UINT8),
    "alpha": ((1, 256, 256), pb.DTYPE_UINT8),
    "alpha_full": ((1, 256, 256), pb.DTYPE_UINT8),
    "lsb": ((3, 256, 256), pb.DTYPE_UINT8),
    "palette": ((768,), pb.DTYPE_UINT8),
    "palette_lsb": ((1, 256, 256), pb.DTYPE_UINT8),
    "format": ((6,), pb.DTYPE_FLOAT32),
    "content": ((6,), pb.DTYPE_FLOAT32),
}

_F255 = np.float32(255)


def _elements(t: "pb.Tensor") -> int:
    shape = list(t.shape)
    if not shape:
        raise TensorError(f"tensor {t.name!r} has no shape")
    n = 1
    for d in shape:
        if d < 0 or (d > 0 and n > MAX_TENSOR_ELEMENTS // d):
            raise TensorError(f"tensor {t.name!r} has shape {shape} (negative or over {MAX_TENSOR_ELEMENTS} values)")
        n *= d
    return n


#: Allocates an uninitialised output array: (shape, dtype) -> ndarray
#: (numpy.empty, or BufferPool.empty to reuse the arrays of earlier batches).
Alloc = Callable[[Tuple[int, ...], object], np.ndarray]

#: Packed bytes unpacked per step: the step's uint8 bits (256 KiB) stay in
#: the cache on their way to the output array.
UNPACK_STEP = 1 << 15


def wire_values(t) -> Tuple[np.ndarray, Tuple[int, ...], int]:
    """Checks a wire tensor (a pb.Tensor or a wirebatch.WireTensor) and
    returns (values, shape, count): values a read-only view of its bytes,
    uint8 of its shape, little-endian float32 of its shape, or the packed
    bytes (1-D uint8) when it is bit-packed. Raises TensorError when dtype,
    shape and data length disagree."""
    n = _elements(t)
    shape = tuple(t.shape)
    data = t.data
    if t.dtype == pb.DTYPE_UINT8:
        if t.bits_packed:
            need = (n + 7) // 8
            if len(data) != need:
                raise TensorError(f"tensor {t.name!r} of shape {list(shape)} (bit-packed) needs {need} bytes, has {len(data)}")
            return np.frombuffer(data, dtype=np.uint8), shape, n
        if len(data) != n:
            raise TensorError(f"tensor {t.name!r} of shape {list(shape)} needs {n} bytes, has {len(data)}")
        return np.frombuffer(data, dtype=np.uint8).reshape(shape), shape, n
    if t.dtype == pb.DTYPE_FLOAT32:
        if t.bits_packed:
            raise TensorError(f"tensor {t.name!r} is bit-packed but of dtype float32")
        if len(data) != 4 * n:
            raise TensorError(f"tensor {t.name!r} of shape {list(shape)} needs {4 * n} bytes, has {len(data)}")
        return np.frombuffer(data, dtype="<f4").reshape(shape), shape, n
    raise TensorError(f"tensor {t.name!r} has dtype {t.dtype} (want uint8 or float32)")


def unpack_into(packed: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Unpacks bits (most significant first) into the C-contiguous array
    out, as its dtype (0/1 as uint8, 0./1. as float32), a cache-sized step
    at a time; returns out."""
    flat = out.reshape(-1)
    n = flat.size
    for i in range(0, len(packed), UNPACK_STEP):
        j = min(i + UNPACK_STEP, len(packed))
        np.copyto(flat[8 * i:min(8 * j, n)], np.unpackbits(packed[i:j], count=min(8 * (j - i), n - 8 * i)), casting="unsafe")
    return out


def check_stream(t, name: str, batch: int) -> None:
    """Checks a wire tensor's name, dtype and shape against the stream it
    must be: name, batch size first."""
    if t.name != name:
        raise TensorError(f"tensor {t.name!r} sent where {name!r} was requested")
    per, dtype = WIRE_SHAPES[name]
    if t.dtype != dtype:
        raise TensorError(f"tensor {name!r} has dtype {pb.Dtype.Name(t.dtype) if t.dtype in pb.Dtype.values() else t.dtype}, want {pb.Dtype.Name(dtype)}")
    want = (batch,) + per
    if tuple(t.shape) != want:
        raise TensorError(f"tensor {name!r} has shape {list(t.shape)}, want {list(want)}")


def scaled(a: np.ndarray, alloc: Alloc = np.empty) -> torch.Tensor:
    """uint8 values v -> float32 v/255 (IEEE division, as x.float()/255 in torch)."""
    out = alloc(a.shape, np.float32)
    np.divide(a, _F255, out=out, dtype=np.float32)
    return torch.from_numpy(out)


def two_channel_alpha(full: np.ndarray, alloc: Alloc = np.empty) -> torch.Tensor:
    """Full alpha values [B,1,H,W] -> [B,2,H,W] float32 = [alpha/255, alpha & 1]."""
    b, _, h, w = full.shape
    out = alloc((b, 2, h, w), np.float32)
    np.divide(full, _F255, out=out[:, 0:1], dtype=np.float32)
    np.bitwise_and(full, 1, out=out[:, 1:2], casting="unsafe")
    return torch.from_numpy(out)


def floats(a: np.ndarray) -> torch.Tensor:
    """little-endian float32 values -> a native float32 tensor (a copy of the
    column, so the tensor is writable and does not alias the message)."""
    return torch.from_numpy(a.astype(np.float32, copy=True))


def one_hot(data: bytes, batch: int) -> torch.Tensor:
    """bit_order_one_hot bytes [B,3] -> float32 [B,3]."""
    if len(data) != 3 * batch:
        raise TensorError(f"bit_order_one_hot holds {len(data)} bytes, want {3 * batch} for {batch} samples")
    return torch.from_numpy(np.frombuffer(data, dtype=np.uint8).reshape(batch, 3).astype(np.float32))


def owned_u8(a: np.ndarray, alloc: Alloc = np.empty) -> torch.Tensor:
    """uint8 values as a writable tensor: a read-only view of the message's
    bytes is copied (one byte per value), an array of its own is taken as it is."""
    if a.flags.writeable:
        return torch.from_numpy(a)
    out = alloc(a.shape, np.uint8)
    np.copyto(out, a)
    return torch.from_numpy(out)


def two_channel_alpha_u8(full: np.ndarray, alloc: Alloc = np.empty) -> torch.Tensor:
    """Full alpha values [B,1,H,W] -> [B,2,H,W] uint8 = [alpha, alpha & 1]
    (channel 0 still to be scaled by 1/255, see normalize)."""
    b, _, h, w = full.shape
    out = alloc((b, 2, h, w), np.uint8)
    out[:, 0:1] = full
    np.bitwise_and(full, 1, out=out[:, 1:2])
    return torch.from_numpy(out)


#: How each model input of a uint8 batch becomes the float32 of a float32
#: batch: "scaled" v/255, "plane" 0/1 as 0./1., "alpha2" channel 0 scaled
#: and channel 1 a plane; format and content are float32 already.
U8_KINDS = {"pixel": "scaled", "meta": "scaled", "palette": "scaled",
            "lsb": "plane", "palette_lsb": "plane", "alpha": "plane"}


def model_tensors(msg, streams: Sequence[str], alpha_channels: int,
                  dtype: str = "float32", alloc: Alloc = np.empty) -> Dict[str, torch.Tensor]:
    """Converts the tensors of a batch message (a pb.StreamBatchesResponse
    or a wirebatch.WireBatch) to the model's inputs, in the order of
    streams (model names; "alpha" is sent as "alpha_full" when
    alpha_channels is 2). dtype "float32": pixel, meta and palette as v/255,
    0/1 planes as 0./1., format and content as they are. dtype "uint8": the
    same streams as their uint8 values (0/1 planes as 0/1, two-channel alpha
    as [alpha, alpha & 1]), format and content float32; normalize() turns
    such a batch into the float32 one, bit for bit, on any device. Output
    arrays come from alloc; the message's bytes are only read."""
    u8 = dtype == "uint8"
    out_dtype = np.uint8 if u8 else np.float32
    batch = len(msg.content_ids)
    if len(msg.tensors) != len(streams):
        raise TensorError(f"batch carries {len(msg.tensors)} tensors {[t.name for t in msg.tensors]}, {len(streams)} were requested {list(streams)}")
    out: Dict[str, torch.Tensor] = {}
    for name, t in zip(streams, msg.tensors):
        wire = "alpha_full" if (name == "alpha" and alpha_channels == 2) else name
        check_stream(t, wire, batch)
        a, shape, _ = wire_values(t)
        if name in ("pixel", "meta", "palette"):
            out[name] = owned_u8(a, alloc) if u8 else scaled(a, alloc)
        elif wire == "alpha_full":
            out[name] = two_channel_alpha_u8(a, alloc) if u8 else two_channel_alpha(a, alloc)
        elif name in ("alpha", "lsb", "palette_lsb"):
            if not t.bits_packed and a.size and a.max() > 1:
                raise TensorError(f"tensor {name!r} holds values above 1 (a 0/1 plane)")
            dst = alloc(shape, out_dtype)
            if t.bits_packed:
                unpack_into(a, dst)
            else:
                np.copyto(dst, a, casting="unsafe")
            out[name] = torch.from_numpy(dst)
        else:
            out[name] = floats(a)
    return out


_LUT_CACHE: Dict[str, torch.Tensor] = {}


def scale_table(device) -> torch.Tensor:
    """The 256 float32 values v/255 (IEEE division, as numpy computes them
    for the CPU path) on device: scaling by lookup gives the very same bits
    on any device, where a device's division by a scalar may not."""
    key = str(device)
    lut = _LUT_CACHE.get(key)
    if lut is None:
        host = np.empty(256, dtype=np.float32)
        np.divide(np.arange(256, dtype=np.uint8), _F255, out=host, dtype=np.float32)
        lut = torch.from_numpy(host).to(device)
        _LUT_CACHE[key] = lut
    return lut


def normalize(batch: Dict[str, object], device=None, *, non_blocking: bool = False) -> Dict[str, object]:
    """Returns a copy of a batch with every tensor moved to device (None
    keeps each where it is) and the uint8 model inputs of a dtype="uint8"
    batch turned into exactly the float32 tensors a dtype="float32" batch
    holds (v/255 by table lookup, 0/1 planes as 0./1.). Moving uint8 and
    normalising on the device sends a quarter of the bytes over the bus and
    keeps the conversion off the CPU. Other values are kept as they are."""
    out: Dict[str, object] = {}
    for k, v in batch.items():
        if not isinstance(v, torch.Tensor):
            out[k] = v
            continue
        t = v.to(device, non_blocking=non_blocking) if device is not None else v
        if t.dtype == torch.uint8 and k in U8_KINDS:
            if k == "alpha" and t.dim() == 4 and t.shape[1] == 2:
                f = torch.empty(t.shape, dtype=torch.float32, device=t.device)
                f[:, 0:1] = _scale(t[:, 0:1])
                f[:, 1:2] = t[:, 1:2].float()
                t = f
            elif U8_KINDS[k] == "scaled":
                t = _scale(t)
            else:
                t = t.float()
        out[k] = t
    return out


def _scale(t: torch.Tensor) -> torch.Tensor:
    """uint8 -> float32 v/255: numpy's division on the CPU (what the float32
    path computes), a table lookup elsewhere (the same bits)."""
    if t.device.type == "cpu":
        return scaled(t.contiguous().numpy())
    return scale_table(t.device)[t.long()]
