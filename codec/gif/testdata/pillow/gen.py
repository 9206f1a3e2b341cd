#!/usr/bin/env python3
"""Generate edge-case GIF files and record how Pillow opens them.

Run with Pillow 9.4 (Debian bookworm's python3-pil), the Pillow line whose
results match the reference corpus:  python3 gen.py
It writes case-*.gif and expected.json beside itself. expected.json holds,
for each file, Pillow's mode, size and sha256 of convert("RGB").tobytes(),
of the raw values (P or L) and the palette (getpalette() for P, that of
convert("P") for L), or the error Pillow raised.
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
rnd = random.Random(20250102)


class Bits:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, code, size):
        self.acc |= code << self.n
        self.n += size
        while self.n >= 8:
            self.out.append(self.acc & 255)
            self.acc >>= 8
            self.n -= 8

    def flush(self):
        if self.n:
            self.out.append(self.acc & 255)
        return bytes(self.out)


def lzw(indices, lit, eoi=True, eoi_at=None, clear_every=None, table_full_no_clear=False):
    """A standard GIF LZW encoder (early change as decoders expect)."""
    clear, end = 1 << lit, (1 << lit) + 1
    b = Bits()
    cs = lit + 1
    b.put(clear, cs)
    table = {(i,): i for i in range(clear)}
    nxt = clear + 2
    w = ()
    count = 0
    for pos, k in enumerate(indices):
        if eoi_at is not None and pos == eoi_at:
            if w:
                b.put(table[w], cs)
                count += 1
                if nxt < 4096:
                    nxt += 1  # the decoder adds an entry for the next code
                    if nxt - 1 == (1 << cs) and cs < 12:
                        cs += 1
                w = ()
            b.put(end, cs)
        wk = w + (k,)
        if wk in table:
            w = wk
            continue
        b.put(table[w], cs)
        count += 1
        if nxt < 4096:
            table[wk] = nxt
            nxt += 1
            if nxt - 1 == (1 << cs) and cs < 12:
                cs += 1
        elif not table_full_no_clear:
            b.put(clear, cs)
            table = {(i,): i for i in range(clear)}
            nxt, cs = clear + 2, lit + 1
        w = (k,)
        if clear_every and count % clear_every == 0:
            b.put(table[w], cs)
            b.put(clear, cs + (1 if nxt == (1 << cs) else 0))
            table = {(i,): i for i in range(clear)}
            nxt, cs = clear + 2, lit + 1
            w = ()
    if w:
        b.put(table[w], cs)
    if eoi:
        b.put(end, cs)
    return b.flush()


def literal_codes(indices, lit):
    """Literal codes only, with a clear before the code size would grow."""
    clear = 1 << lit
    cs = lit + 1
    per = max(1, clear - 2)
    b = Bits()
    for i in range(0, len(indices), per):
        b.put(clear, cs)
        for k in indices[i:i + per]:
            b.put(k, cs)
    b.put(clear + 1, cs)
    return b.flush()


def blocks(data, size=255):
    out = b""
    for i in range(0, len(data), size):
        part = data[i:i + size]
        out += bytes([len(part)]) + part
    return out + b"\x00"


def gct(entries):
    """A colour table padded to a power of two, and its size bits."""
    n = 2
    while n < len(entries) // 3:
        n *= 2
    bits = n.bit_length() - 2
    return entries + bytes(3 * n - len(entries)), bits


def header(w, h, table=None, version=b"GIF89a", bg=0):
    if table is None:
        return version + struct.pack("<HHBBB", w, h, 0, bg, 0)
    t, bits = gct(table)
    return version + struct.pack("<HHBBB", w, h, 0x80 | bits, bg, 0) + t


def gce(transparency=None, disposal=0):
    flags = disposal << 2 | (1 if transparency is not None else 0)
    return b"!\xf9\x04" + bytes([flags]) + b"\x00\x00" + bytes([transparency or 0]) + b"\x00"


def image(x, y, w, h, data, lit=8, local=None, interlace=False, encoded=None):
    flags = 0x40 if interlace else 0
    lt = b""
    if local is not None:
        lt, bits = gct(local)
        flags |= 0x80 | bits
    enc = lzw(data, lit) if encoded is None else encoded
    return b"," + struct.pack("<HHHHB", x, y, w, h, flags) + lt + bytes([lit]) + blocks(enc)


def rand_table(n):
    return bytes(rnd.randrange(256) for _ in range(3 * n))


def ramp(n):
    return bytes(i // 3 for i in range(3 * n))


def pixels(n, top=256):
    return [rnd.randrange(top) for _ in range(n)]


def interlace_order(h):
    return [y for start, step in ((0, 8), (4, 8), (2, 4), (1, 2)) for y in range(start, h, step)]


cases = {}


def add(name, data):
    cases[name] = data


W, H = 23, 17
px = pixels(W * H)
add("global-ramp-L", header(W, H, ramp(256)) + image(0, 0, W, H, px) + b";")
add("global-colour-P", header(W, H, rand_table(256)) + image(0, 0, W, H, px) + b";")
add("global-grey-gap-P", header(W, H, bytes(min(255, i // 3 * 2) for i in range(768))) + image(0, 0, W, H, px) + b";")
add("global-ramp16-L", header(W, H, ramp(16)) + image(0, 0, W, H, pixels(W * H, 16), lit=4) + b";")
add("global-grey16-P", header(W, H, bytes(i // 3 * 17 for i in range(48))) + image(0, 0, W, H, pixels(W * H, 16), lit=4) + b";")
add("global-small-big-index", header(W, H, rand_table(4)) + image(0, 0, W, H, px) + b";")
add("no-palette-L", header(W, H) + image(0, 0, W, H, px) + b";")
add("local-ramp-global-colour-L", header(W, H, rand_table(256)) + image(0, 0, W, H, px, local=ramp(256)) + b";")
add("local-colour-global-ramp-P", header(W, H, ramp(256)) + image(0, 0, W, H, px, local=rand_table(256)) + b";")
add("local-colour-no-global-P", header(W, H) + image(0, 0, W, H, pixels(W * H, 4), lit=2, local=rand_table(2)) + b";")
add("local-2-big-index", header(W, H) + image(0, 0, W, H, px, local=rand_table(2)) + b";")
add("trans-beyond-palette", header(W, H, rand_table(4)) + gce(200) + image(2, 2, 5, 5, pixels(25, 4), lit=2) + b";")

# Frame placement, canvas fill and transparency.
fp = pixels(9 * 7)
add("frame-offset", header(32, 24, rand_table(256)) + image(10, 5, 9, 7, fp) + b";")
add("frame-offset-trans", header(32, 24, rand_table(256)) + gce(7) + image(10, 5, 9, 7, fp) + b";")
add("frame-offset-trans-L", header(32, 24, ramp(256)) + gce(9) + image(10, 5, 9, 7, fp) + b";")
add("local-ramp-global-colour-trans-L", header(32, 24, rand_table(256)) + gce(3) + image(4, 5, 9, 7, fp, local=ramp(256)) + b";")
add("frame-offset-trans0", header(32, 24, rand_table(256)) + gce(0) + image(10, 5, 9, 7, fp) + b";")
add("frame-outside-screen", header(10, 10, rand_table(256)) + image(5, 5, 10, 10, pixels(100)) + b";")
add("screen-zero", header(0, 0, rand_table(256)) + image(0, 0, 8, 8, pixels(64)) + b";")
add("frame-zero-width-origin", header(12, 9, rand_table(256)) + image(0, 3, 0, 4, pixels(108)) + b";")
add("frame-zero-width", header(12, 9, rand_table(256)) + image(3, 3, 0, 4, pixels(108)) + b";")
add("frame-zero-height", header(12, 9, rand_table(256)) + image(3, 3, 4, 0, pixels(16)) + b";")
add("two-gces", header(W, H, rand_table(256)) + gce(5) + gce(None) + image(1, 1, 6, 6, pixels(36)) + b";")

# Interlaced frames of every small height.
for h in (1, 2, 3, 4, 5, 8, 9, 17):
    data = pixels(7 * h)
    order = interlace_order(h)
    stream = [v for y in order for v in data[y * 7:(y + 1) * 7]]
    add(f"interlaced-h{h}", header(7, h, rand_table(256)) + image(0, 0, 7, h, stream, interlace=True) + b";")

# Animation: only the first frame counts.
second = gce(3, 2) + image(2, 2, 5, 5, pixels(25), local=rand_table(256))
add("animated", header(W, H, rand_table(256)) + b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00" + gce(None, 1) +
    image(0, 0, W, H, px) + second * 50 + b";")
add("animated-first-small", header(W, H, rand_table(256)) + gce(4, 2) + image(3, 3, 4, 4, pixels(16)) + second + b";")

# Data layout: trailer missing, truncation, early EOI, sizes, tables.
base = header(W, H, rand_table(256)) + image(0, 0, W, H, px)
add("no-trailer", base)
add("no-block-terminator", base[:-1])
add("truncated-data", base[: len(base) - 40])
enc_no_eoi = lzw(px, 8, eoi=False)
add("no-eoi", header(W, H, rand_table(256)) + image(0, 0, W, H, px, encoded=enc_no_eoi) + b";")
early = lzw(px, 8, eoi_at=W * H // 2)
add("early-eoi-small-file", header(W, H, rand_table(256)) + image(0, 0, W, H, px, encoded=early) + b";")
add("early-eoi-big-file", header(W, H, rand_table(256)) + image(0, 0, W, H, px, encoded=early) + b";" + bytes(70000))
half = lzw(px[: W * H // 2], 8)
add("short-data-then-frame", header(W, H, rand_table(256)) + image(0, 0, W, H, px, encoded=half) + second + b";")
add("short-data-then-junk", header(W, H, rand_table(256)) + image(0, 0, W, H, px, encoded=half) + bytes([7] * 3000))
add("literal-lit2", header(W, H, rand_table(4)) + image(0, 0, W, H, pixels(W * H, 4), lit=2, encoded=literal_codes(pixels(W * H, 4), 2)) + b";")
lit1 = pixels(W * H, 2)
add("literal-lit1", header(W, H, rand_table(2)) + image(0, 0, W, H, lit1, lit=1, encoded=literal_codes(lit1, 1)) + b";")
lit9 = pixels(W * H, 512)
add("literal-lit9", header(W, H, rand_table(256)) + image(0, 0, W, H, lit9, lit=9, encoded=literal_codes(lit9, 9)) + b";")
add("lit13", header(W, H, rand_table(256)) + image(0, 0, W, H, px, lit=13, encoded=b"\x00\x00") + b";")
big = pixels(200 * 150, 7)
add("table-full-no-clear", header(200, 150, rand_table(8)) + image(0, 0, 200, 150, big, lit=3,
    encoded=lzw(big, 3, table_full_no_clear=True)) + b";")
add("table-full-clear", header(200, 150, rand_table(8)) + image(0, 0, 200, 150, big, lit=3) + b";")
add("clear-every-5", header(W, H, rand_table(256)) + image(0, 0, W, H, px, encoded=lzw(px, 8, clear_every=5)) + b";")
add("code-beyond-next", header(W, H, rand_table(256)) + image(0, 0, W, H, px, encoded=b"\x00\x01\xff\xff\xff") + b";")
add("first-code-not-literal", header(4, 4, rand_table(4)) + image(0, 0, 4, 4, px, lit=2, encoded=bytes([0x34, 0x12, 0x00])) + b";")
add("small-blocks", header(W, H, rand_table(256)) + image(0, 0, W, H, px)[:0] + b"," +
    struct.pack("<HHHHB", 0, 0, W, H, 0) + b"\x08" + blocks(lzw(px, 8), 3) + b";")

# Blocks before the image: extensions Pillow parses, garbage it skips.
img = image(0, 0, W, H, px) + b";"
hdr = header(W, H, rand_table(256))
add("gce-empty", hdr + b"!\xf9\x00" + img)
add("gce-short-no-flag", hdr + b"!\xf9\x03\x00\x01\x00\x00" + img)
add("gce-short-flag", hdr + b"!\xf9\x03\x01\x01\x00\x00" + img)
add("app-empty", hdr + b"!\xff\x00" + img)
add("netscape-empty", hdr + b"!\xff\x0bNETSCAPE2.0\x00" + img)
add("comment", hdr + b"!\xfe\x05hello\x03abc\x00" + img)
add("plain-text-ext", hdr + b"!\x01\x0c" + bytes(12) + b"\x04text\x00" + img)
add("garbage-before-image", hdr + b"xyz\x00\x11" + img)
add("only-trailer", hdr + b";")
add("nothing-after-header", hdr)
add("header-12-bytes", hdr[:12])
add("truncated-global-table", hdr[:100])
add("truncated-descriptor", hdr + b",\x00\x00\x00\x00")
add("truncated-local-table", hdr + b"," + struct.pack("<HHHHB", 0, 0, 4, 4, 0x87) + bytes(30))
add("missing-code-size", hdr + b"," + struct.pack("<HHHHB", 0, 0, 4, 4, 0))
add("gif87a", header(W, H, rand_table(256), version=b"GIF87a") + img)

# Pillow's own writer, a real-world producer.
for mode in ("P", "L"):
    im = Image.new("RGB", (40, 30))
    im.putdata([(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)) for _ in range(1200)])
    im = im.convert(mode) if mode == "L" else im.quantize(37)
    buf = io.BytesIO()
    im.save(buf, "GIF", interlace=True)
    add(f"pillow-written-{mode}", buf.getvalue())


def describe(data):
    try:
        im = Image.open(io.BytesIO(data))
        mode, size = im.mode, im.size
        rgb = im.convert("RGB").tobytes()
        r = {"mode": mode, "size": list(size), "rgb": hashlib.sha256(rgb).hexdigest(),
             "index": hashlib.sha256(im.tobytes()).hexdigest()}
        pim = im if mode == "P" else im.convert("P")
        r["palette"] = bytes(pim.getpalette()).hex()
        if mode == "L" and "transparency" in im.info:
            # Pillow 9.4's convert("P") of an L image with transparency
            # allocates the transparent colour in a non-interleaved
            # list(range(256)) * 3 palette and returns that scrambled
            # table; record also the palette without that quirk.
            del im.info["transparency"]
            r["palette_no_trns"] = bytes(im.convert("P").getpalette()).hex()
        return r
    except Exception as e:  # noqa: BLE001 - any failure is what we record
        msg = str(e).split(" <_io.")[0]
        return {"error": f"{type(e).__name__}: {msg}"}


expected = {"pillow": PIL.__version__, "cases": {}}
for name, data in sorted(cases.items()):
    fn = f"case-{name}.gif"
    with open(os.path.join(HERE, fn), "wb") as f:
        f.write(data)
    expected["cases"][fn] = describe(data)
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
print(len(cases), "cases")
