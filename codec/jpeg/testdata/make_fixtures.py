#!/usr/bin/python3
"""Regenerates the JPEG fixtures of this directory and their reference RGB
decodings.

Reference decoder: Pillow 9.x linked against libjpeg-turbo 2.1.x, the stack
the project's reference extractor uses (Debian bookworm: python3-pil 9.4 with
libjpeg62-turbo 2.1.5, run with /usr/bin/python3): NAME.rgb.png is
Image.open(NAME.jpg).convert("RGB"). Each 1- and 3-component reference is
checked against `djpeg -ppm` of the same libjpeg-turbo (accurate integer IDCT,
fancy upsampling and block smoothing by default).

Block smoothing fixtures (SMOOTHING below) also get NAME.ljt3.rgb.png, the
decoding by libjpeg-turbo >= 3.0.1 (TurboJPEG tj3Decompress8 to RGB), whose
smoothing picks other neighbouring blocks near the image edges; these are
written only when a libturbojpeg.so of libjpeg-turbo 3.x is given.

Encoders: cjpeg (any libjpeg-turbo) and the TurboJPEG library of the system
(tjCompress2, which writes YCCK for CMYK pixels) for ycck-420.jpg.

usage: /usr/bin/python3 make_fixtures.py SOURCE.png [LIBTURBOJPEG3.so]
       (run in this directory; SOURCE.png was the corpus file
       alpha_submission_2025/clean/clean-0405.png)

apt-get install python3-pil libjpeg-turbo-progs libturbojpeg0
"""
import ctypes, os, subprocess, sys, tempfile
import PIL
from PIL import Image

src_png = sys.argv[1]
lib3 = sys.argv[2] if len(sys.argv) > 2 else None

djpeg_version = subprocess.run(['djpeg', '-version'], capture_output=True, text=True).stderr
assert 'libjpeg-turbo version 2.1.' in djpeg_version, djpeg_version
assert PIL.__version__.startswith('9.'), PIL.__version__

# Fixtures whose decoding goes through block smoothing.
SMOOTHING = []


def components(data):
    sof = [data[i + 1] for i in range(len(data) - 1)
           if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC1, 0xC2)]
    return data[data.index(bytes([0xFF, sof[0]])) + 9]


def reference(name):
    path = name + '.jpg'
    img = Image.open(path)
    assert img.format == 'JPEG'
    rgb = img.convert('RGB')
    rgb.save(name + '.rgb.png')
    if components(open(path, 'rb').read()) in (1, 3):
        ppm = subprocess.run(['djpeg', '-ppm', path], capture_output=True, check=True).stdout
        p = os.path.join(tmp, 'djpeg.ppm')
        open(p, 'wb').write(ppm)
        assert Image.open(p).convert('RGB').tobytes() == rgb.tobytes(), name + ': djpeg != Pillow'


def reference3(name):
    """libjpeg-turbo >= 3.0.1's decoding, for the block smoothing fixtures."""
    tj = ctypes.CDLL(lib3)
    tj.tj3Init.restype = ctypes.c_void_p
    tj.tj3Init.argtypes = [ctypes.c_int]
    tj.tj3Get.argtypes = [ctypes.c_void_p, ctypes.c_int]
    tj.tj3DecompressHeader.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    tj.tj3Decompress8.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                  ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    TJPARAM_JPEGWIDTH, TJPARAM_JPEGHEIGHT, TJPF_RGB = 5, 6, 0
    dec = tj.tj3Init(1)
    data = open(name + '.jpg', 'rb').read()
    assert tj.tj3DecompressHeader(dec, data, len(data)) == 0
    w, h = tj.tj3Get(dec, TJPARAM_JPEGWIDTH), tj.tj3Get(dec, TJPARAM_JPEGHEIGHT)
    buf = ctypes.create_string_buffer(w * h * 3)
    assert tj.tj3Decompress8(dec, data, len(data), buf, 0, TJPF_RGB) == 0
    Image.frombytes('RGB', (w, h), buf.raw).save(name + '.ljt3.rgb.png')


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


def smooth(name, w, h, script, *args):
    cjpeg(name, w, h, '-scans', scans(script), *args)
    SMOOTHING.append(name)


# Incomplete progressive scripts: every DC is known, some of the first nine
# AC coefficients are not (or not to full precision), so libjpeg smooths.
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
cjpeg('quant16', 33, 65, '-quality', '1')
cjpeg('multiscan-sequential', 33, 65, '-scans', scans('0;\n1;\n2;\n'))
cjpeg('multiscan-sequential-2', 33, 65, '-scans', scans('0,1;\n2;\n'))

# Block smoothing. The releases differ (2.1.x vs 3.0.1+) for components with
# two or more block rows per iMCU row (4:2:0 luma, 4:4:0) in the second and
# the last two iMCU rows, and for components two blocks wide (16x16 4:4:4,
# 13x29 4:4:4, the chroma of 27x45 4:2:0 and 31x70 4:2:2, 15x37 grey).
smooth('gray-smooth', 33, 65, GRAYDC, '-grayscale')
smooth('gray-smooth-15x37', 15, 37, GRAYDC, '-grayscale')
smooth('smooth-dconly-420', 33, 65, DCONLY)
smooth('smooth-partial-420', 33, 65, PARTIAL)
smooth('smooth-lowband-420', 33, 65, LOWBAND)
smooth('smooth-refine-420', 33, 65, REFINE)
smooth('smooth-partial-444', 33, 65, PARTIAL, '-sample', '1x1')
smooth('smooth-dconly-16x16', 16, 16, DCONLY, '-sample', '1x1')
smooth('smooth-dconly-27x45-420', 27, 45, DCONLY)
smooth('smooth-partial-13x29-444', 13, 29, PARTIAL, '-sample', '1x1')
smooth('smooth-lowband-40x48-420', 40, 48, LOWBAND)
smooth('smooth-dconly-31x70-422', 31, 70, DCONLY, '-sample', '2x1')
smooth('smooth-refine-24x57-440', 24, 57, REFINE, '-sample', '1x2')
smooth('smooth-partial-50x100-420', 50, 100, PARTIAL)
if lib3:
    for name in SMOOTHING:
        reference3(name)

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

# YCCK with 4:2:0 sampling, encoded by TurboJPEG (CMYK pixels are written as
# YCCK). Adobe CMYK is stored inverted (0 = full ink), so invert Pillow's CMYK.
w, h = 33, 65
cmyk = bytes(255 - b for b in base.resize((64, 80)).crop((3, 5, 3 + w, 5 + h)).convert('CMYK').tobytes())
tj2 = ctypes.CDLL('libturbojpeg.so.0')
tj2.tjInitCompress.restype = ctypes.c_void_p
tj2.tjCompress2.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
                            ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
                            ctypes.POINTER(ctypes.c_ulong), ctypes.c_int, ctypes.c_int,
                            ctypes.c_int]
TJPF_CMYK, TJSAMP_420 = 11, 2
enc = tj2.tjInitCompress()
jbuf, jsize = ctypes.c_void_p(), ctypes.c_ulong()
assert tj2.tjCompress2(enc, cmyk, w, 0, h, TJPF_CMYK, ctypes.byref(jbuf), ctypes.byref(jsize),
                       TJSAMP_420, 90, 0) == 0
open('ycck-420.jpg', 'wb').write(ctypes.string_at(jbuf, jsize.value))
reference('ycck-420')

# Arithmetic coding: no reference, the decoder reports it as unsupported.
subprocess.run(['cjpeg', '-arithmetic', '-outfile', 'arithmetic.jpg', source(16, 16)], check=True)
