"""A protobuf wire-format reader for the few small messages the client
decodes by hand (google.rpc.Status details, grpc.health.v1 responses), so
it needs no generated code for them."""

from typing import Iterator, Tuple, Union


def fields(data: bytes, what: str = "message") -> Iterator[Tuple[int, Union[int, bytes]]]:
    """Yields (field number, value) of a protobuf message: an int for
    varint and fixed fields, bytes for length-delimited ones. Malformed
    input raises ValueError naming what."""
    i = 0
    while i < len(data):
        key, i = varint(data, i, what)
        field, wire = key >> 3, key & 7
        if field == 0:
            raise ValueError(f"{what}: field number 0")
        if wire == 0:
            v, i = varint(data, i, what)
            yield field, v
        elif wire == 2:
            n, i = varint(data, i, what)
            if i + n > len(data):
                raise ValueError(f"{what}: truncated field")
            yield field, data[i:i + n]
            i += n
        elif wire in (1, 5):
            n = 8 if wire == 1 else 4
            if i + n > len(data):
                raise ValueError(f"{what}: truncated field")
            yield field, int.from_bytes(data[i:i + n], "little")
            i += n
        else:
            raise ValueError(f"{what}: wire type {wire}")


def varint(data: bytes, i: int, what: str = "message") -> Tuple[int, int]:
    """Reads the varint at data[i:]; returns it (as uint64) and the index after it."""
    v, shift = 0, 0
    while True:
        if i >= len(data) or shift > 63:
            raise ValueError(f"{what}: bad varint")
        b = data[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return v & ((1 << 64) - 1), i
