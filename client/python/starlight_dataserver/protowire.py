"""A protobuf wire-format reader: the fields of a message as byte ranges
(walk), for the batch messages the client splits without copying, and as
values (fields), for the few small messages it decodes by hand
(google.rpc.Status details, grpc.health.v1 responses) with no generated code."""

from typing import Iterator, Optional, Tuple, Union


def walk(data, start: int = 0, end: Optional[int] = None,
         what: str = "message") -> Iterator[Tuple[int, int, int, int, int]]:
    """Yields (field number, wire type, field start, value start, value end)
    of each field of data[start:end]: the value of a varint is data[value
    start:value end] as a varint, of a fixed field its 4 or 8 little-endian
    bytes, of a length-delimited field its bytes. Malformed input raises
    ValueError naming what and the byte where it goes wrong."""
    end = len(data) if end is None else end
    i = start
    while i < end:
        f0 = i
        key, i = varint(data, i, what, end)
        field, wire = key >> 3, key & 7
        if field == 0:
            raise ValueError(f"{what}: field number 0 at byte {f0}")
        if wire == 0:
            v0 = i
            _, i = varint(data, i, what, end)
            yield field, wire, f0, v0, i
        elif wire == 2:
            n, i = varint(data, i, what, end)
            if n > end - i:
                raise ValueError(f"{what}: field {field} at byte {f0} runs past the end ({n} bytes, {end - i} left)")
            yield field, wire, f0, i, i + n
            i += n
        elif wire == 1 or wire == 5:
            n = 8 if wire == 1 else 4
            if n > end - i:
                raise ValueError(f"{what}: fixed field {field} at byte {f0} runs past the end")
            yield field, wire, f0, i, i + n
            i += n
        else:
            raise ValueError(f"{what}: wire type {wire} of field {field} at byte {f0}")


def fields(data: bytes, what: str = "message") -> Iterator[Tuple[int, Union[int, bytes]]]:
    """Yields (field number, value) of a protobuf message: an int for
    varint and fixed fields, bytes for length-delimited ones. Malformed
    input raises ValueError naming what."""
    for field, wire, _, a, b in walk(data, 0, len(data), what):
        if wire == 0:
            yield field, varint(data, a, what, b)[0]
        elif wire == 2:
            yield field, data[a:b]
        else:
            yield field, int.from_bytes(data[a:b], "little")


def varint(data, i: int, what: str = "message", end: Optional[int] = None) -> Tuple[int, int]:
    """Reads the varint at data[i:end]; returns it (as uint64) and the index after it."""
    end = len(data) if end is None else end
    v, shift = 0, 0
    while True:
        if i >= end or shift > 63:
            raise ValueError(f"{what}: bad varint at byte {i}")
        b = data[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return v & ((1 << 64) - 1), i
