#!/usr/bin/env python3
"""Generate edge-case PNG files and record how Pillow opens them.

Run with Pillow 9.4 (Debian bookworm's python3-pil), the Pillow line whose
results match the reference corpus:  python3 gen.py
It writes case-*.png and expected.json beside itself. expected.json holds,
for each file, Pillow's mode, size and sha256 of convert("RGB").tobytes(),
of the alpha band (RGBA/LA), of the raw indices (P) and getpalette(), or
the error Pillow raised. The Go tests compare the decoder with it.
"""
import hashlib
import io
import json
import os
import random
import struct
import zlib

import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
rnd = random.Random(20250101)


def chunk(t, d, crc=None):
    c = zlib.crc32(t + d) & 0xFFFFFFFF if crc is None else crc
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", c)


def ihdr(w, h, depth, ct, interlace=0, filt=0):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ct, 0, filt, interlace))


CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
PASSES = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def filter_row(ft, row, prev, bpp):
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if ft == 0:
            p = 0
        elif ft == 1:
            p = a
        elif ft == 2:
            p = b
        elif ft == 3:
            p = (a + b) // 2
        else:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out[i] = (x - p) & 255
    return bytes([ft]) + bytes(out)


def raw_rows(w, h, depth, ct, interlace, maxval=None):
    """Random raw rows, filtered with random filter types, as the IDAT payload."""
    bits = depth * CHANNELS[ct]
    bpp = max(1, bits // 8)

    def rows_for(pw, ph):
        out = []
        prev = bytes((pw * bits + 7) // 8)
        for _ in range(ph):
            n = (pw * bits + 7) // 8
            if maxval is not None and depth == 8:
                row = bytes(rnd.randrange(maxval + 1) for _ in range(n))
            else:
                row = bytes(rnd.randrange(256) for _ in range(n))
            out.append(filter_row(rnd.randrange(5), row, prev, bpp))
            prev = row
        return out

    if not interlace:
        return rows_for(w, h)
    rows = []
    for x0, y0, dx, dy in PASSES:
        pw = (w - x0 + dx - 1) // dx if w > x0 else 0
        ph = (h - y0 + dy - 1) // dy if h > y0 else 0
        if pw and ph:
            rows += rows_for(pw, ph)
    return rows


def png(w, h, depth, ct, interlace=0, pre=(), post=(), rows=None, idat_split=None, zdata=None, maxval=None):
    if rows is None:
        rows = raw_rows(w, h, depth, ct, interlace, maxval)
    z = zlib.compress(b"".join(rows)) if zdata is None else zdata
    out = b"\x89PNG\r\n\x1a\n" + ihdr(w, h, depth, ct, interlace)
    out += b"".join(chunk(t, d) if not isinstance(d, tuple) else chunk(t, d[0], d[1]) for t, d in pre)
    if idat_split:
        for i in range(0, len(z), idat_split):
            out += chunk(b"IDAT", z[i:i + idat_split])
            out += chunk(b"IDAT", b"")
    else:
        out += chunk(b"IDAT", z)
    out += b"".join(chunk(t, d) for t, d in post)
    return out + chunk(b"IEND", b"")


def plte(n):
    return bytes(rnd.randrange(256) for _ in range(3 * n))


cases = {}


def add(name, data):
    cases[name] = data


# Every colour type and depth Pillow reads, plain and interlaced.
for ct, depths in [(0, [1, 2, 4, 8, 16]), (2, [8, 16]), (3, [1, 2, 4, 8]), (4, [8, 16]), (6, [8, 16])]:
    for depth in depths:
        for il in (0, 1):
            pre = [(b"PLTE", plte(min(1 << depth, 200)))] if ct == 3 else []
            add(f"ct{ct}-d{depth}-i{il}", png(13, 11, depth, ct, il, pre=pre))

# Odd sizes, interlaced passes that are empty.
for w, h in [(1, 1), (1, 9), (9, 1), (3, 3), (5, 2), (17, 17)]:
    add(f"size-{w}x{h}-i1", png(w, h, 8, 2, 1))
    add(f"size-{w}x{h}-p2-i1", png(w, h, 2, 3, 1, pre=[(b"PLTE", plte(4))]))

# Palettes: short PLTE, no PLTE, empty PLTE, uneven PLTE, oversized PLTE.
add("plte-short", png(16, 16, 8, 3, pre=[(b"PLTE", plte(5))]))
add("plte-none", png(16, 16, 8, 3))
add("plte-empty", png(16, 16, 8, 3, pre=[(b"PLTE", b"")]))
add("plte-uneven", png(16, 16, 8, 3, pre=[(b"PLTE", bytes(range(10)))]))
add("plte-257", png(16, 16, 8, 3, pre=[(b"PLTE", plte(257))]))
add("plte-twice", png(16, 16, 4, 3, pre=[(b"PLTE", plte(16)), (b"PLTE", plte(7))]))
add("plte-before-ihdr", b"\x89PNG\r\n\x1a\n" + chunk(b"PLTE", plte(4)) + png(8, 8, 2, 3)[8:])

# tRNS never changes the mode.
add("trns-p-bytes", png(16, 16, 8, 3, pre=[(b"PLTE", plte(256)), (b"tRNS", bytes(range(0, 256, 3)))]))
add("trns-p-single", png(16, 16, 8, 3, pre=[(b"PLTE", plte(256)), (b"tRNS", b"\xff\xff\x00\xff")]))
add("trns-grey", png(16, 16, 8, 0, pre=[(b"tRNS", b"\x00\x07")]))
add("trns-grey-short", png(16, 16, 8, 0, pre=[(b"tRNS", b"\x07")]))
add("trns-rgb", png(16, 16, 8, 2, pre=[(b"tRNS", b"\x00\x01\x00\x02\x00\x03")]))
add("trns-rgb-short", png(16, 16, 8, 2, pre=[(b"tRNS", b"\x00\x01\x00\x02")]))
add("grey16-high", png(16, 16, 16, 0, rows=[b"\x00" + bytes(rnd.choice([0, 1, 2, 255]) for _ in range(32)) for _ in range(16)]))

# Chunk layout: split IDAT, empty IDATs, CRCs, unknown and private chunks.
add("idat-split", png(20, 20, 8, 6, idat_split=7))
add("crc-bad-text", png(16, 16, 8, 2, pre=[(b"tEXt", (b"k\x00v", 1))]))
add("crc-bad-private", png(16, 16, 8, 2, pre=[(b"prVt", (b"data", 1))]))
add("ok-private", png(16, 16, 8, 2, pre=[(b"prVt", b"data"), (b"eXIf", b"MM\x00*")]))
good = png(16, 16, 8, 2)
i = good.index(b"IDAT")
n = struct.unpack(">I", good[i - 4:i])[0]
add("crc-bad-idat", good[:i + 4 + n] + b"\xde\xad\xbe\xef" + good[i + 8 + n:])
add("chunk-type-bad", good[:i - 4] + chunk(b"ab-d", b"") + good[i - 4:])
add("idat-before-ihdr", b"\x89PNG\r\n\x1a\n" + chunk(b"IDAT", b"xx") + good[8:])
add("ihdr-bad-depth", png(16, 16, 3, 0, rows=[b"\x00" * 7] * 16))
add("ihdr-bad-filter", good[:8] + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 1, 0)) + good[33:])
add("ihdr-short", good[:8] + chunk(b"IHDR", struct.pack(">IIBBBB", 16, 16, 8, 2, 0, 0)) + good[33:])
add("ihdr-zero-width", png(0, 4, 8, 0, rows=[b"\x00"] * 4))
add("no-iend", good[:-12])
add("iend-missing-crc", good[:-4])
add("garbage-after-iend", good + b"\x00\x00\x00\x10garbage after iend")
add("bad-chunk-after-idat", good[:-12] + b"\x00\x00\x00\x00bad!" + good[-12:])
add("trailer-text-truncated", good[:-12] + chunk(b"tEXt", b"key\x00value")[:-6])
add("trailer-unknown-truncated", good[:-12] + chunk(b"abCd", b"0123456789")[:10])
add("trailer-ztxt-bad-method", good[:-12] + chunk(b"zTXt", b"k\x00\x01xx") + good[-12:])
add("trailer-crc-bad", good[:-12] + chunk(b"tEXt", b"k\x00v", 7) + good[-12:])
add("truncated-mid-idat", good[: i + 4 + n // 2])
add("truncated-after-idat", good[: i + 8 + n])

# Ancillary chunk checks Pillow makes.
add("gama-short", png(8, 8, 8, 0, pre=[(b"gAMA", b"\x00\x01")]))
add("chrm-uneven", png(8, 8, 8, 0, pre=[(b"cHRM", b"\x00" * 5)]))
add("srgb-empty", png(8, 8, 8, 0, pre=[(b"sRGB", b"")]))
add("phys-short", png(8, 8, 8, 0, pre=[(b"pHYs", b"\x00" * 8)]))
add("ztxt-bad-method", png(8, 8, 8, 0, pre=[(b"zTXt", b"k\x00\x02abc")]))
add("ztxt-ok", png(8, 8, 8, 0, pre=[(b"zTXt", b"k\x00\x00" + zlib.compress(b"hello"))]))
add("ztxt-corrupt", png(8, 8, 8, 0, pre=[(b"zTXt", b"k\x00\x00garbage")]))
add("ztxt-huge", png(8, 8, 8, 0, pre=[(b"zTXt", b"k\x00\x00" + zlib.compress(b"a" * ((1 << 20) + 1)))]))
add("ztxt-1mib", png(8, 8, 8, 0, pre=[(b"zTXt", b"k\x00\x00" + zlib.compress(b"a" * (1 << 20)))]))
add("itxt-huge", png(8, 8, 8, 0, pre=[(b"iTXt", b"k\x00\x01\x00en\x00k\x00" + zlib.compress(b"a" * ((1 << 20) + 1)))]))
add("itxt-bad-utf8", png(8, 8, 8, 0, pre=[(b"iTXt", b"k\x00\x00\x00en\x00k\x00\xff\xfe")]))
add("iccp-no-nul", png(8, 8, 8, 0, pre=[(b"iCCP", b"abc")]))
add("iccp-huge", png(8, 8, 8, 0, pre=[(b"iCCP", b"icc\x00\x00" + zlib.compress(b"\x00" * ((1 << 20) + 10)))]))
add("iccp-corrupt", png(8, 8, 8, 0, pre=[(b"iCCP", b"icc\x00\x00notzlib")]))

# The zlib stream: early end at a row boundary, mid-row, no rows, extra
# data, bad checksum, missing checksum, bad filter type, bad header.
rows = raw_rows(16, 16, 8, 2, 0)
add("zlib-ends-row-boundary", png(16, 16, 8, 2, rows=rows, zdata=zlib.compress(b"".join(rows[:5]))))
add("zlib-ends-row-boundary-i1", png(16, 16, 8, 3, 1, pre=[(b"PLTE", plte(256))], rows=raw_rows(16, 16, 8, 3, 1)[:6]))
add("zlib-ends-mid-row", png(16, 16, 8, 2, rows=rows, zdata=zlib.compress(b"".join(rows[:5]) + rows[5][:7])))
add("zlib-empty", png(16, 16, 8, 2, rows=rows, zdata=zlib.compress(b"")))
add("zlib-extra-data", png(16, 16, 8, 2, rows=rows + rows[:3]))
zd = zlib.compress(b"".join(rows))
add("zlib-bad-adler", png(16, 16, 8, 2, zdata=zd[:-4] + bytes(b ^ 0x55 for b in zd[-4:])))
add("zlib-no-adler", png(16, 16, 8, 2, zdata=zd[:-4]))
add("zlib-bad-header", png(16, 16, 8, 2, zdata=b"\x78\x9d" + zd[2:]))
add("zlib-raw-deflate", png(16, 16, 8, 2, zdata=zd[2:-4]))
add("filter-type-5", png(4, 4, 8, 0, rows=[b"\x00abcd", b"\x05abcd", b"\x00abcd", b"\x00abcd"]))
add("filter-type-5-after-end", png(4, 2, 8, 0, rows=[b"\x00abcd", b"\x01abcd", b"\x05abcd"]))

# APNG: first frame only; a frame region before IDAT becomes the tile.
def actl(n):
    return struct.pack(">II", n, 0)


def fctl(seq, w, h, x, y):
    return struct.pack(">IIIIIHHBB", seq, w, h, x, y, 1, 10, 0, 0)


f2 = zlib.compress(b"".join(raw_rows(8, 8, 8, 6, 0)))
add("apng-full", png(16, 16, 8, 6, pre=[(b"acTL", actl(2)), (b"fcTL", fctl(0, 16, 16, 0, 0))],
                     post=[(b"fcTL", fctl(1, 8, 8, 2, 2)), (b"fdAT", struct.pack(">I", 2) + f2)]))
add("apng-default-image", png(16, 16, 8, 6, pre=[(b"acTL", actl(1))],
                              post=[(b"fcTL", fctl(0, 8, 8, 2, 2)), (b"fdAT", struct.pack(">I", 1) + f2)]))
add("apng-subregion", png(16, 16, 8, 2, pre=[(b"fcTL", fctl(0, 8, 6, 3, 5))], rows=raw_rows(8, 6, 8, 2, 0)))
add("apng-subregion-p", png(16, 16, 8, 3, pre=[(b"PLTE", plte(9)), (b"fcTL", fctl(0, 8, 6, 3, 5))],
                            rows=raw_rows(8, 6, 8, 3, 0, maxval=8)))
add("apng-subregion-i1", png(16, 16, 8, 2, 1, pre=[(b"fcTL", fctl(0, 8, 6, 3, 5))], rows=raw_rows(8, 6, 8, 2, 1)))
add("apng-zero-width-origin", png(16, 16, 8, 2, pre=[(b"fcTL", fctl(0, 0, 6, 0, 5))]))
add("apng-zero-width", png(16, 16, 8, 2, pre=[(b"fcTL", fctl(0, 0, 6, 3, 5))], rows=raw_rows(8, 6, 8, 2, 0)))
add("apng-bad-region", png(16, 16, 8, 2, pre=[(b"fcTL", fctl(0, 8, 6, 9, 5))]))
add("apng-bad-seq", png(16, 16, 8, 2, pre=[(b"fcTL", fctl(3, 16, 16, 0, 0))]))
add("apng-trailer-bad-seq", png(16, 16, 8, 6, pre=[(b"acTL", actl(1)), (b"fcTL", fctl(0, 16, 16, 0, 0))],
                                post=[(b"fdAT", struct.pack(">I", 5) + f2)]))
add("fctl-short", png(16, 16, 8, 2, pre=[(b"fcTL", b"\x00" * 20)]))
add("actl-short", png(16, 16, 8, 2, pre=[(b"acTL", b"\x00" * 4)]))


def describe(data):
    try:
        im = Image.open(io.BytesIO(data))
        mode, size = im.mode, im.size
        rgb = im.convert("RGB").tobytes()
        r = {"mode": mode, "size": list(size), "rgb": hashlib.sha256(rgb).hexdigest()}
        if mode in ("RGBA", "LA"):
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
    fn = f"case-{name}.png"
    with open(os.path.join(HERE, fn), "wb") as f:
        f.write(data)
    expected["cases"][fn] = describe(data)
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
print(len(cases), "cases")
