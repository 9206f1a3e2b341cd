#!/usr/bin/env python3
"""Regenerates the JPEG fixtures of this directory and their reference RGB
decodings.

Encoders: cjpeg from libjpeg-turbo (any version) and TurboJPEG for YCCK.
Reference decoder: libjpeg-turbo 3.1.3's TurboJPEG library (tj3Decompress8 to
RGB, its defaults being those Pillow uses: accurate integer IDCT, fancy
upsampling, block smoothing), and Pillow for the CMYK -> RGB step of
4-component files (raw mode "CMYK;I", then convert("RGB")).

usage: make_fixtures.py SOURCE.png LIBTURBOJPEG.so   (run in this directory)
"""
import ctypes, os, subprocess, sys, tempfile
from PIL import Image

src_png, libpath = sys.argv[1], sys.argv[2]
tj = ctypes.CDLL(libpath)
tj.tj3Init.restype = ctypes.c_void_p
tj.tj3Init.argtypes = [ctypes.c_int]
tj.tj3Set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
tj.tj3Get.argtypes = [ctypes.c_void_p, ctypes.c_int]
tj.tj3DecompressHeader.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
tj.tj3Decompress8.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                              ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
tj.tj3Compress8.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
                            ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
                            ctypes.POINTER(ctypes.c_size_t)]
TJPARAM_QUALITY, TJPARAM_SUBSAMP, TJPARAM_JPEGWIDTH, TJPARAM_JPEGHEIGHT = 3, 4, 5, 6
TJPARAM_COLORSPACE = 8
TJPF_RGB, TJPF_CMYK = 0, 11
TJCS_YCCK = 4
dec = tj.tj3Init(1)


def tj_decode(data, pf):
    assert tj.tj3DecompressHeader(dec, data, len(data)) == 0
    w, h = tj.tj3Get(dec, TJPARAM_JPEGWIDTH), tj.tj3Get(dec, TJPARAM_JPEGHEIGHT)
    n = 4 if pf == TJPF_CMYK else 3
    buf = ctypes.create_string_buffer(w * h * n)
    assert tj.tj3Decompress8(dec, data, len(data), buf, 0, pf) == 0
    return w, h, buf.raw


def reference(name):
    data = open(name + '.jpg', 'rb').read()
    sof = [data[i + 1] for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC1, 0xC2)]
    ncomp = data[data.index(bytes([0xFF, sof[0]])) + 9]
    if ncomp == 4:
        w, h, raw = tj_decode(data, TJPF_CMYK)
        img = Image.frombytes('CMYK', (w, h), raw, 'raw', 'CMYK;I').convert('RGB')
    else:
        w, h, raw = tj_decode(data, TJPF_RGB)
        img = Image.frombytes('RGB', (w, h), raw)
    img.save(name + '.rgb.png')


base = Image.open(src_png).convert('RGB')
tmp = tempfile.mkdtemp()


def source(w, h):
    p = os.path.join(tmp, '%dx%d.ppm' % (w, h))
    base.resize((max(w, 64), max(h, 64))).crop((3, 5, 3 + w, 5 + h)).save(p)
    return p


def scans(text):
    p = os.path.join(tmp, 'scans%d.txt' % abs(hash(text)))
    open(p, 'w').write(text)
    return p


def cjpeg(name, w, h, *args):
    subprocess.run(['cjpeg', *args, '-outfile', name + '.jpg', source(w, h)], check=True)
    reference(name)


DCONLY = '0,1,2: 0-0, 0, 0;\n'
PARTIAL = '0,1,2: 0-0, 0, 1;\n0: 1-5, 0, 2;\n1: 1-63, 0, 1;\n2: 1-63, 0, 1;\n0: 6-63, 0, 2;\n'
LOWBAND = '0,1,2: 0-0, 0, 0;\n0: 1-2, 0, 0;\n'
REFINE = ('0: 0-0, 0, 2;\n1: 0-0, 0, 0;\n2: 0-0, 0, 0;\n0: 0-0, 2, 1;\n0: 1-63, 0, 3;\n'
          '0: 1-63, 3, 2;\n1: 1-9, 0, 0;\n2: 1-63, 0, 1;\n0: 1-63, 2, 1;\n')
GRAYDC = '0: 0-0, 0, 1;\n0: 1-9, 0, 1;\n'

cjpeg('h1v2', 33, 65, '-sample', '1x2')
cjpeg('h4v1-box', 33, 65, '-sample', '4x1')
cjpeg('h3v2-box', 33, 65, '-sample', '3x2')
cjpeg('mixed-sampling', 33, 65, '-sample', '2x2,2x1,1x2')
cjpeg('luma-upsampled', 33, 65, '-sample', '1x1,1x2,2x1')
cjpeg('narrow-3x5-420', 3, 5, '-sample', '2x2')
cjpeg('narrow-4x37-422', 4, 37, '-sample', '2x1')
cjpeg('restart-3-blocks-422', 33, 65, '-restart', '3B', '-sample', '2x1')
cjpeg('restart-progressive', 33, 65, '-restart', '2B', '-progressive')
cjpeg('rgb-adobe', 33, 65, '-rgb')
cjpeg('gray-progressive', 33, 65, '-grayscale', '-progressive')
cjpeg('gray-smooth', 33, 65, '-grayscale', '-scans', scans(GRAYDC))
cjpeg('quant16', 33, 65, '-quality', '1')
cjpeg('smooth-dconly-420', 33, 65, '-scans', scans(DCONLY))
cjpeg('smooth-partial-420', 33, 65, '-scans', scans(PARTIAL))
cjpeg('smooth-lowband-420', 33, 65, '-scans', scans(LOWBAND))
cjpeg('smooth-refine-420', 33, 65, '-scans', scans(REFINE))
cjpeg('smooth-partial-444', 33, 65, '-scans', scans(PARTIAL), '-sample', '1x1')
cjpeg('smooth-dconly-16x16', 16, 16, '-scans', scans(DCONLY), '-sample', '1x1')
cjpeg('multiscan-sequential', 33, 65, '-scans', scans('0;\n1;\n2;\n'))
cjpeg('multiscan-sequential-2', 33, 65, '-scans', scans('0,1;\n2;\n'))

# Standard Huffman tables: a cjpeg file (which uses them) without its DHT.
subprocess.run(['cjpeg', '-outfile', 'std-huffman.jpg', source(33, 65)], check=True)
d = open('std-huffman.jpg', 'rb').read()
out, i = bytearray(d[:2]), 2
while True:
    m, n = d[i + 1], d[i + 2] << 8 | d[i + 3]
    if m != 0xC4:
        out += d[i:i + 2 + n]
    i += 2 + n
    if m == 0xDA:
        out += d[i:]
        break
open('std-huffman.jpg', 'wb').write(bytes(out))
reference('std-huffman')

# YCCK with 4:2:0 sampling, encoded by TurboJPEG.
w, h = 33, 65
# Adobe CMYK is stored inverted (0 = full ink), so invert Pillow's CMYK.
cmyk = bytes(255 - b for b in base.resize((64, 80)).crop((3, 5, 3 + w, 5 + h)).convert('CMYK').tobytes())
enc = tj.tj3Init(0)
tj.tj3Set(enc, TJPARAM_QUALITY, 90)
tj.tj3Set(enc, TJPARAM_SUBSAMP, 2)
tj.tj3Set(enc, TJPARAM_COLORSPACE, TJCS_YCCK)
jbuf, jsize = ctypes.c_void_p(), ctypes.c_size_t()
assert tj.tj3Compress8(enc, cmyk, w, 0, h, TJPF_CMYK, ctypes.byref(jbuf), ctypes.byref(jsize)) == 0
open('ycck-420.jpg', 'wb').write(ctypes.string_at(jbuf, jsize.value))
reference('ycck-420')

# Arithmetic coding: no reference, the decoder reports it as unsupported.
subprocess.run(['cjpeg', '-arithmetic', '-outfile', 'arithmetic.jpg', source(16, 16)], check=True)
