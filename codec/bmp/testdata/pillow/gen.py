#!/usr/bin/env python3
"""Generate edge-case BMP files and record how Pillow opens them.

Run with Pillow 9.4 (Debian bookworm's python3-pil), the Pillow line whose
results match the reference corpus:  python3 gen.py
It writes case-*.bmp and expected.json beside itself. expected.json holds,
for each file, Pillow's mode, size and sha256 of convert("RGB").tobytes(),
of the alpha band (RGBA), of the raw indices and getpalette() (P), or the
error Pillow raised.
"""
import hashlib
import io
import json
import os
import random
import struct

import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
rnd = random.Random(20250103)


def rbytes(n):
    return bytes(rnd.randrange(256) for _ in range(n))


def stride(w, bits):
    return ((w * bits + 31) >> 3) & ~3


def pixels(w, h, bits, top=None):
    """Random rows with random padding bytes."""
    out = b""
    for _ in range(h):
        if top is not None and bits == 8:
            row = bytes(rnd.randrange(top) for _ in range(w))
        else:
            row = rbytes((w * bits + 7) // 8)
        out += row + rbytes(stride(w, bits) - len(row))
    return out


def info40(w, h, bits, comp=0, colors=0, size=40, extra=b""):
    hd = struct.pack("<IiiHHIIiiII", size, w, h, 1, bits, comp, 0, 2835, 2835, colors, 0)
    return hd + extra + bytes(max(0, size - 40 - len(extra)))


def bmp(info, palette=b"", data=b"", offset=None, after_info=b""):
    off = 14 + len(info) + len(after_info) + len(palette) if offset is None else offset
    body = info + after_info + palette
    gap = max(0, off - 14 - len(body)) if offset is not None else 0
    total = 14 + len(body) + gap + len(data)
    return b"BM" + struct.pack("<IHHI", total, 0, 0, off) + body + bytes(gap) + data


def pal(n, grey=False, bw=False, pad=4):
    out = b""
    for i in range(n):
        if bw:
            v = (0, 255)[i]
            c = (v, v, v)
        elif grey:
            c = (i, i, i)
        else:
            c = tuple(rnd.randrange(256) for _ in range(3))
        out += bytes(c) + (b"\x00" if pad == 4 else b"")
    return out


cases = {}


def add(name, data):
    cases[name] = data


# Plain depths, bottom-up and top-down, odd widths for row padding.
for w in (1, 2, 3, 5, 7):
    add(f"bgr24-w{w}", bmp(info40(w, 4, 24), data=pixels(w, 4, 24)))
add("bgr24-topdown", bmp(info40(6, -5, 24), data=pixels(6, 5, 24)))
add("bgrx32", bmp(info40(6, 5, 32), data=pixels(6, 5, 32)))
add("bgr15", bmp(info40(6, 5, 16), data=pixels(6, 5, 16)))
add("p8", bmp(info40(9, 7, 8, colors=256), pal(256), pixels(9, 7, 8)))
add("p8-topdown", bmp(info40(9, -7, 8, colors=256), pal(256), pixels(9, 7, 8)))
add("p8-colors0", bmp(info40(9, 7, 8), pal(256), pixels(9, 7, 8)))
add("p8-16-colors-big-index", bmp(info40(9, 7, 8, colors=16), pal(16), pixels(9, 7, 8)))
add("p8-grey-L", bmp(info40(9, 7, 8, colors=256), pal(256, grey=True), pixels(9, 7, 8)))
add("p8-grey16-L", bmp(info40(9, 7, 8, colors=16), pal(16, grey=True), pixels(9, 7, 8, top=16)))
add("p8-bw-1", bmp(info40(9, 7, 8, colors=2), pal(2, bw=True), pixels(9, 7, 8, top=2)))
add("p4", bmp(info40(9, 7, 4, colors=16), pal(16), pixels(9, 7, 4)))
add("p4-grey-L-w4", bmp(info40(4, 3, 4, colors=16), pal(16, grey=True), pixels(4, 3, 4)))
add("p4-grey-L-w9", bmp(info40(9, 3, 4, colors=16), pal(16, grey=True), pixels(9, 3, 4)))
add("p1", bmp(info40(13, 7, 1, colors=2), pal(2), pixels(13, 7, 1)))
add("p1-bw", bmp(info40(13, 7, 1, colors=2), pal(2, bw=True), pixels(13, 7, 1)))
add("p1-bw-topdown", bmp(info40(13, -7, 1, colors=2), pal(2, bw=True), pixels(13, 7, 1)))
add("p8-300-colors", bmp(info40(4, 4, 8, colors=300), pal(300), pixels(4, 4, 8)))
add("p8-70000-colors", bmp(info40(4, 4, 8, colors=70000), pal(2), pixels(4, 4, 8)))
add("p8-short-palette", bmp(info40(4, 4, 8, colors=256), pal(256)[:401], pixels(4, 4, 8)))

# Bitfields.
def masks(*m):
    return struct.pack("<" + "I" * len(m), *m)


add("bf16-565", bmp(info40(6, 5, 16, comp=3), after_info=masks(0xF800, 0x7E0, 0x1F), data=pixels(6, 5, 16)))
add("bf16-555", bmp(info40(6, 5, 16, comp=3), after_info=masks(0x7C00, 0x3E0, 0x1F), data=pixels(6, 5, 16)))
add("bf16-bad", bmp(info40(6, 5, 16, comp=3), after_info=masks(0xF00, 0xF0, 0xF), data=pixels(6, 5, 16)))
add("bf24", bmp(info40(6, 5, 24, comp=3), after_info=masks(0xFF0000, 0xFF00, 0xFF), data=pixels(6, 5, 24)))
add("bf32-bgrx", bmp(info40(6, 5, 32, comp=3), after_info=masks(0xFF0000, 0xFF00, 0xFF), data=pixels(6, 5, 32)))
add("bf32-xbgr", bmp(info40(6, 5, 32, comp=3), after_info=masks(0xFF000000, 0xFF0000, 0xFF00), data=pixels(6, 5, 32)))
for name, m in [("bgra", (0xFF0000, 0xFF00, 0xFF, 0xFF000000)), ("rgba", (0xFF, 0xFF00, 0xFF0000, 0xFF000000)),
                ("abgr", (0xFF000000, 0xFF0000, 0xFF00, 0xFF)), ("zero", (0, 0, 0, 0)),
                ("bgrx", (0xFF0000, 0xFF00, 0xFF, 0)), ("bad", (0xFF00, 0xFF, 0xFF0000, 0xFF000000))]:
    add(f"bf32-v4-{name}", bmp(info40(6, 5, 32, comp=3, size=108, extra=masks(*m)), data=pixels(6, 5, 32)))
add("bf32-v5-bgra", bmp(info40(6, 5, 32, comp=3, size=124, extra=masks(0xFF0000, 0xFF00, 0xFF, 0xFF000000)), data=pixels(6, 5, 32)))
add("bf8", bmp(info40(6, 5, 8, comp=3), pal(256), after_info=masks(0xE0, 0x1C, 0x3), data=pixels(6, 5, 8)))
add("bf-masks-truncated", bmp(info40(6, 5, 32, comp=3))[:58])

# Header variants.
def os2(w, h, bits):
    return struct.pack("<IHHHH", 12, w, h, 1, bits)


add("os2-24", bmp(os2(7, 4, 24), data=pixels(7, 4, 24)))
add("os2-8", bmp(os2(7, 4, 8), pal(256, pad=3), pixels(7, 4, 8)))
add("os2-8-offset-quirk", bmp(os2(7, 4, 8), pal(256, pad=3), pixels(7, 4, 8) + bytes(300), offset=26))
add("info52", bmp(info40(6, 5, 24, size=52), data=pixels(6, 5, 24)))
add("info56", bmp(info40(6, 5, 24, size=56), data=pixels(6, 5, 24)))
add("info64", bmp(info40(6, 5, 24, size=64), data=pixels(6, 5, 24)))
add("info108", bmp(info40(6, 5, 24, size=108), data=pixels(6, 5, 24)))
add("info124", bmp(info40(6, 5, 24, size=124), data=pixels(6, 5, 24)))
add("info-truncated", bmp(info40(6, 5, 24))[:40])
add("offset-zero", bmp(info40(6, 5, 24), data=pixels(6, 5, 24), offset=0))
add("offset-zero-p8", bmp(info40(6, 5, 8, colors=256), pal(256), data=pixels(6, 5, 8), offset=0))
add("offset-gap", bmp(info40(6, 5, 24), data=pixels(6, 5, 24), offset=100))
add("offset-past-end", bmp(info40(6, 5, 24), data=pixels(6, 5, 24), offset=5000))
add("bits2", bmp(info40(6, 5, 2), pal(4), pixels(6, 5, 2)))
add("bits0", bmp(info40(6, 5, 0), data=pixels(6, 5, 8)))
add("comp-jpeg", bmp(info40(6, 5, 24, comp=4), data=pixels(6, 5, 24)))
add("width-zero", bmp(info40(0, 5, 24), data=b""))
add("height-zero", bmp(info40(5, 0, 24), data=b""))
full = bmp(info40(7, 6, 24), data=pixels(7, 6, 24))
add("truncated-rows", full[:-30])
add("truncated-last-padding", full[:-3])
add("truncated-last-row", full[:-4])
add("header-only", full[:14])
add("offset-beyond-file", full[:10] + struct.pack("<I", len(full) + 10) + full[14:])
add("not-bmp-short", b"BM\x00\x00")

# RLE8 / RLE4 with Pillow's decoder.
def rle8_rows(w, h):
    out = b""
    for y in range(h):
        x = 0
        while x < w:
            n = min(w - x, rnd.randrange(1, 6))
            if rnd.random() < 0.5 and n >= 3:
                run = rbytes(n)
                out += b"\x00" + bytes([n]) + run + (b"\x00" if n % 2 else b"")
            else:
                out += bytes([n, rnd.randrange(256)])
            x += n
        out += b"\x00\x00"
    return out + b"\x00\x01"


add("rle8", bmp(info40(11, 6, 8, comp=1, colors=256), pal(256), rle8_rows(11, 6)))
add("rle8-topdown", bmp(info40(11, -6, 8, comp=1, colors=256), pal(256), rle8_rows(11, 6)))
add("rle8-grey-L", bmp(info40(11, 6, 8, comp=1, colors=256), pal(256, grey=True), rle8_rows(11, 6)))
add("rle8-bw", bmp(info40(11, 6, 8, comp=1, colors=2), pal(2, bw=True), rle8_rows(11, 6)))
add("rle8-24bit", bmp(info40(11, 6, 24, comp=1), data=rle8_rows(11, 6)))
add("rle8-short", bmp(info40(11, 6, 8, comp=1, colors=256), pal(256), rle8_rows(11, 3)[:-2]))
add("rle8-eol-early", bmp(info40(8, 4, 8, comp=1, colors=256), pal(256),
                          b"\x03\x07\x00\x00\x08\x09\x00\x00\x02\x05\x00\x00\x04\x01\x00\x00\x00\x01"))
add("rle8-overlong-run", bmp(info40(8, 3, 8, comp=1, colors=256), pal(256), b"\x0c\x07\x05\x02\x00\x00" * 3 + b"\x00\x01"))
add("rle8-delta", bmp(info40(8, 6, 8, comp=1, colors=256), pal(256),
                      b"\x02\x09\x00\x02\x03\x01\x05\x07\x04\x04\x09\x00\x00\x00" + b"\x08\x03" * 6 + b"\x00\x01"))
add("rle8-delta-truncated", bmp(info40(8, 6, 8, comp=1, colors=256), pal(256), b"\x02\x09\x00\x02\x03\x01\x05"))
add("rle8-absolute-truncated", bmp(info40(8, 6, 8, comp=1, colors=256), pal(256), b"\x00\x30\x01\x02\x03"))
add("rle8-absolute-odd", bmp(info40(8, 2, 8, comp=1, colors=256), pal(256),
                             b"\x00\x03\x01\x02\x03\x00\x05\x04\x00\x00\x00\x05\x01\x02\x03\x04\x05\x00\x03\x06\x00\x00\x00\x01"))
add("rle8-no-eob", bmp(info40(4, 2, 8, comp=1, colors=256), pal(256), b"\x04\x01\x00\x00\x04\x02"))
add("rle8-offset-odd", bmp(info40(8, 2, 8, comp=1, colors=256), pal(256) + b"\x00",
                           b"\x00\x03\x01\x02\x03\x00\x05\x04\x00\x00\x00\x05\x01\x02\x03\x04\x05\x00\x03\x06\x00\x00\x00\x01",
                           offset=14 + 40 + 1024 + 1))


def rle4_rows(w, h):
    out = b""
    for y in range(h):
        x = 0
        while x < w:
            n = min(w - x, rnd.randrange(1, 7))
            if rnd.random() < 0.5 and n >= 3:
                nb = (n + 1) // 2
                run = rbytes(nb)
                out += b"\x00" + bytes([n]) + run + (b"\x00" if nb % 2 else b"")
            else:
                out += bytes([n, rnd.randrange(256)])
            x += n
        out += b"\x00\x00"
    return out + b"\x00\x01"


add("rle4", bmp(info40(13, 6, 4, comp=2, colors=16), pal(16), rle4_rows(13, 6)))
add("rle4-grey-L", bmp(info40(13, 6, 4, comp=2, colors=16), pal(16, grey=True), rle4_rows(13, 6)))
add("rle-comp-on-p1", bmp(info40(13, 6, 1, comp=2, colors=2), pal(2), rle4_rows(13, 6)))


def describe(data):
    try:
        im = Image.open(io.BytesIO(data))
        mode, size = im.mode, im.size
        rgb = im.convert("RGB").tobytes()
        r = {"mode": mode, "size": list(size), "rgb": hashlib.sha256(rgb).hexdigest()}
        if mode == "RGBA":
            r["alpha"] = hashlib.sha256(im.getchannel("A").tobytes()).hexdigest()
        if mode == "P":
            r["index"] = hashlib.sha256(im.tobytes()).hexdigest()
            r["palette"] = bytes(im.getpalette()).hex()
        return r
    except Exception as e:  # noqa: BLE001 - any failure is what we record
        msg = str(e).split(" <_io.")[0]
        return {"error": f"{type(e).__name__}: {msg}"}


expected = {"pillow": PIL.__version__, "cases": {}}
for name, data in sorted(cases.items()):
    fn = f"case-{name}.bmp"
    with open(os.path.join(HERE, fn), "wb") as f:
        f.write(data)
    expected["cases"][fn] = describe(data)
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
print(len(cases), "cases")
