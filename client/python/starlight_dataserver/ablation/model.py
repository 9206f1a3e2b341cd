"""The detector the ablation trains: the upstream design's eight inputs, made
small enough to train on a CPU in minutes."""

import torch
import torch.nn as nn
import torch.nn.functional as F

#: The model's inputs, in the order forward() takes them.
INPUTS = ("pixel", "meta", "alpha", "lsb", "palette", "palette_lsb", "format", "content")

#: Weight of the method (technique) loss beside the stego loss, as upstream.
METHOD_LOSS_WEIGHT = 0.1

#: Number of technique classes (alpha, palette, lsb.rgb, exif, raw).
NUM_METHODS = 5


def _dense(n_in: int, n_out: int) -> nn.Module:
    return nn.Sequential(nn.Linear(n_in, n_out), nn.ReLU())


class Detector(nn.Module):
    """A convolutional branch over the spatial planes (pixel, the two-channel
    alpha, lsb, palette_lsb: 9 channels of 256x256) and small dense branches
    over meta, palette, format and content, fused into a stego head (one
    logit) and a method head (five logits)."""

    def __init__(self, width: int = 16):
        super().__init__()
        w = width
        self.spatial = nn.Sequential(
            nn.Conv2d(9, w, 5, stride=4, padding=2), nn.ReLU(),
            nn.Conv2d(w, 2 * w, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(2 * w, 2 * w, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.meta = _dense(2048, 32)
        self.palette = _dense(768, 16)
        self.format = _dense(6, 8)
        self.content = _dense(6, 8)
        fused = 4 * w + 32 + 16 + 8 + 8
        self.trunk = _dense(fused, 64)
        self.stego = nn.Linear(64, 1)
        self.method = nn.Linear(64, NUM_METHODS)

    def forward(self, pixel, meta, alpha, lsb, palette, palette_lsb, format, content):
        x = self.spatial(torch.cat([pixel, alpha, lsb, palette_lsb], dim=1))
        img = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], dim=1)
        h = torch.cat([img, self.meta(meta), self.palette(palette), self.format(format), self.content(content)], 1)
        h = self.trunk(h)
        return self.stego(h).squeeze(1), self.method(h)


def inputs_of(batch) -> tuple:
    """The model's inputs of a batch dict (every stream, alpha with two channels)."""
    return tuple(batch[k] for k in INPUTS)


def losses(outputs, batch):
    """Returns (per-sample stego BCE, the training loss): the stego BCE
    weighted by the per-sample loss weights the server sends, plus
    METHOD_LOSS_WEIGHT times the method cross-entropy over the stego samples."""
    stego, method = outputs
    w = batch["loss_weight"]
    bce = F.binary_cross_entropy_with_logits(stego, batch["label"].float(), reduction="none")
    loss = (w * bce).sum() / w.sum().clamp_min(1e-6)
    m = batch["method"]
    if bool((m >= 0).any()):
        loss = loss + METHOD_LOSS_WEIGHT * F.cross_entropy(method, m, ignore_index=-1)
    return bce.detach(), loss
