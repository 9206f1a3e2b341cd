#!/usr/bin/env python3
"""Regenerate codec/webp/testdata/pillow: small WebP files and what Pillow
makes of them (mode, size, sha256 of convert("RGB") and of the A channel, or
the fact that it fails). Needs Pillow with WebP support and cwebp on PATH.

    python3 gen_vectors.py <corpus datasets dir> <output dir>
"""
import hashlib, io, json, os, random, struct, subprocess, sys, tempfile
from PIL import Image

random.seed(20250101)
root, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
srcs = []
for d, _, files in sorted(os.walk(root)):
    for f in sorted(files):
        p = os.path.join(d, f)
        try:
            im = Image.open(p); im.load()
        except Exception:
            continue
        if im.size[0] >= 64 and im.size[1] >= 64:
            srcs.append(p)
tmp = tempfile.mkdtemp()

def pillow(data):
    try:
        im = Image.open(io.BytesIO(data))
        e = {'mode': im.mode, 'size': list(im.size),
             'rgb': hashlib.sha256(im.convert('RGB').tobytes()).hexdigest()}
        if im.mode == 'RGBA':
            e['alpha'] = hashlib.sha256(im.getchannel('A').tobytes()).hexdigest()
        return e
    except Exception:
        return {'error': True}

def cwebp(im, opts):
    src, dst = os.path.join(tmp, 'in.png'), os.path.join(tmp, 'out.webp')
    im.save(src)
    subprocess.run(['cwebp', '-quiet'] + opts + [src, '-o', dst], check=True)
    return open(dst, 'rb').read()

def chunks(data):
    p, res = 12, []
    while p + 8 <= len(data):
        n = struct.unpack('<I', data[p+4:p+8])[0]
        res.append((data[p:p+4], data[p+8:p+8+n])); p += 8 + n + (n & 1)
    return res

def chunk(tag, payload):
    return tag + struct.pack('<I', len(payload)) + payload + (b'\0' if len(payload) & 1 else b'')

def riff(body):
    return b'RIFF' + struct.pack('<I', 4 + len(body)) + b'WEBP' + body

def le24(v):
    return v.to_bytes(3, 'little')

def vp8x(flags, w, h):
    return chunk(b'VP8X', bytes([flags, 0, 0, 0]) + le24(w-1) + le24(h-1))

def anmf(x, y, w, h, sub, bits=0):
    return chunk(b'ANMF', le24(x//2) + le24(y//2) + le24(w-1) + le24(h-1) + le24(100) + bytes([bits]) + sub)

def crop(alpha, sizes=None):
    im = Image.open(random.choice(srcs)).convert('RGBA')
    W, H = im.size
    pick = lambda n: min(n, random.choice(sizes) if sizes else random.randint(1, min(n, 120)))
    w, h = pick(W), pick(H)
    x0, y0 = random.randint(0, W-w), random.randint(0, H-h)
    im = im.crop((x0, y0, x0+w, y0+h))
    if not alpha:
        return im.convert('RGB')
    a = Image.new('L', (w, h)); px = a.load(); kind = random.randint(0, 2)
    for yy in range(h):
        for xx in range(w):
            px[xx, yy] = [xx*255//max(1, w-1), random.randint(0, 255), 0 if (xx//4+yy//4) % 2 else 255][kind]
    im.putalpha(a)
    return im

lossy = [[], ['-q', '5'], ['-q', '95'], ['-q', '50', '-sns', '0', '-f', '0'], ['-q', '70', '-f', '100', '-sharpness', '7'],
         ['-q', '40', '-nostrong'], ['-q', '60', '-segments', '1'], ['-q', '30', '-m', '0'], ['-q', '20', '-sharp_yuv']]
alpha = [['-alpha_filter', 'none'], ['-alpha_filter', 'fast'], ['-alpha_filter', 'best'], ['-alpha_method', '0'],
         ['-alpha_q', '30'], ['-exact']]
lossless = [['-lossless'], ['-lossless', '-z', '9'], ['-near_lossless', '40'], ['-lossless', '-exact']]
man = {}

def add(name, data, opts):
    open(os.path.join(out, name), 'wb').write(data)
    e = pillow(data); e['opts'] = opts; man[name] = e

sizes = [1, 2, 3, 5, 16, 17, 31, 32, 33, 63, 64, 65]
for i in range(36):
    kind = ['lossy', 'lossy_alpha', 'lossless'][i % 3]
    im = crop(kind != 'lossy' and random.random() < 0.7 or kind == 'lossy_alpha', sizes)
    opt = (random.choice(lossless) if kind == 'lossless' else
           random.choice(lossy) + (random.choice(alpha) if kind == 'lossy_alpha' else []))
    add(f'enc{i:02d}_{kind}_{im.size[0]}x{im.size[1]}.webp', cwebp(im, opt), ' '.join(opt))

kinds = ['anim', 'anim_noalpha', 'noflag', 'meta', 'unknown', 'tail', 'trunc', 'mut', 'alph_after', 'bigriff']
for k in range(40):
    kind = kinds[k % len(kinds)]
    im = crop(random.random() < 0.6)
    ll = random.random() < 0.3
    base = cwebp(im, ['-lossless'] if ll else ['-q', str(random.randint(5, 95))])
    ch = chunks(base)
    img = [c for c in ch if c[0] in (b'VP8 ', b'VP8L')][0]
    alph = [c for c in ch if c[0] == b'ALPH']
    w, h = im.size
    sub = (chunk(*alph[0]) if alph else b'') + chunk(*img)
    if kind.startswith('anim'):
        cw, chh = w + 2*random.randint(1, 8), h + 2*random.randint(0, 8)
        x, y = 2*random.randint(0, (cw-w)//2), 2*random.randint(0, (chh-h)//2)
        flags = 0x02 | (0 if kind == 'anim_noalpha' else 0x10)
        data = riff(vp8x(flags, cw, chh) + chunk(b'ANIM', bytes(6)) + anmf(x, y, w, h, sub, random.randint(0, 3)) + anmf(0, 0, w, h, sub))
    elif kind == 'noflag':
        data = riff(vp8x(0x08, w, h) + sub)
    elif kind == 'meta':
        data = riff(vp8x(0x28 | (0x10 if alph else 0), w, h) + chunk(b'ICCP', os.urandom(31)) + sub + chunk(b'EXIF', b'Exif\0\0' + os.urandom(41)))
    elif kind == 'unknown':
        data = riff(vp8x(0x10 if alph else 0, w, h) + chunk(b'ABCD', os.urandom(7)) + sub + chunk(b'XYZW', os.urandom(5)))
    elif kind == 'tail':
        data = base + os.urandom(random.randint(1, 300))
    elif kind == 'trunc':
        data = base[:random.randint(20, len(base)-1)]
    elif kind == 'alph_after':
        data = riff(vp8x(0x10, w, h) + chunk(*img) + (chunk(*alph[0]) if alph else chunk(b'ALPH', b'\0' * 3)))
    elif kind == 'bigriff':
        data = base[:4] + struct.pack('<I', len(base) + 100) + base[8:]
    else:
        d = bytearray(base)
        for _ in range(random.randint(1, 3)):
            d[random.randint(4, min(len(d)-1, 40))] = random.randint(0, 255)
        data = bytes(d)
    add(f'box{k:02d}_{kind}.webp', data, kind)

json.dump(man, open(os.path.join(out, 'manifest.json'), 'w'), indent=1, sort_keys=True)
print(len(man), 'vectors,', sum(1 for e in man.values() if e.get('error')), 'errors')
