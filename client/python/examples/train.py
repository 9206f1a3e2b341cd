#!/usr/bin/env python3
"""Trains a small steganalysis CNN on batches from a data server (the demo
tree by default) on a CPU, weighting each sample's loss with the per-sample
loss weight the server sends, and prints the loss and the false-positive rate
on negatives.

    dataserver demo --addr 127.0.0.1:50051 &          # serves the demo tree
    /usr/bin/python3 examples/train.py --addr 127.0.0.1:50051

or let the example start the demo server itself:

    /usr/bin/python3 examples/train.py --demo-bin ./dataserver

With --checkpoint FILE the model, the optimiser and the data stream's
position are saved after every epoch and restored at start: an interrupted
run continues with the very batches it would have seen.

With --mining every batch's per-sample losses go back to the server (a
LossReporter, in the background) and from --mining-first-epoch on the server
draws the negatives the model still gets wrong more often (at most
--mining-strength times as often as the easiest).
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

try:
    import starlight_dataserver as sds
except ImportError:  # run from the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import starlight_dataserver as sds


class SmallDetector(nn.Module):
    """A CNN over the image planes (pixel, lsb, alpha, palette_lsb) and small
    MLPs over the vectors (meta, palette, format, content), with three heads:
    stego logit, technique (5 classes) and bit order (3 classes)."""

    def __init__(self, alpha_channels: int = 1):
        super().__init__()
        planes = 3 + 3 + alpha_channels + 1
        self.conv = nn.Sequential(
            nn.Conv2d(planes, 16, 5, stride=4, padding=2), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.meta = nn.Sequential(nn.Linear(2048, 64), nn.ReLU())
        self.palette = nn.Sequential(nn.Linear(768, 32), nn.ReLU())
        self.vec = nn.Sequential(nn.Linear(12, 16), nn.ReLU())
        self.trunk = nn.Sequential(nn.Linear(64 + 64 + 32 + 16, 64), nn.ReLU())
        self.stego = nn.Linear(64, 1)
        self.method = nn.Linear(64, len(sds.METHODS))
        self.bit_order = nn.Linear(64, 3)

    def forward(self, pixel, meta, alpha, lsb, palette, palette_lsb, format, content):
        x = self.conv(torch.cat([pixel, lsb, alpha, palette_lsb], dim=1))
        img = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], dim=1)
        h = torch.cat([img, self.meta(meta), self.palette(palette), self.vec(torch.cat([format, content], 1))], 1)
        h = self.trunk(h)
        return self.stego(h).squeeze(1), self.method(h), self.bit_order(h)


def per_sample_loss(outputs, batch):
    """The unweighted stego BCE of every sample: what a LossReporter reports."""
    return F.binary_cross_entropy_with_logits(outputs[0].detach(), batch["label"].float(), reduction="none")


def loss_of(outputs, batch):
    """Weighted stego BCE (per-sample loss weights) plus auxiliary technique
    and bit-order cross-entropies."""
    stego, method, bit_order = outputs
    w = batch["loss_weight"]
    bce = F.binary_cross_entropy_with_logits(stego, batch["label"].float(), reduction="none")
    loss = (w * bce).sum() / w.sum().clamp_min(1e-6)
    if bool((batch["method"] >= 0).any()):
        loss = loss + 0.5 * F.cross_entropy(method, batch["method"], ignore_index=-1)
    return loss + 0.25 * F.cross_entropy(bit_order, batch["bit_order"].argmax(1))


class Rates:
    """Counts predictions per kind: false positives on clean and negatives,
    detections on stego."""

    def __init__(self):
        self.pos = {k: 0 for k in (sds.KIND_CLEAN, sds.KIND_STEGO, sds.KIND_NEGATIVE)}
        self.n = dict(self.pos)

    def add(self, logits, kind):
        pred = logits > 0
        for k in self.n:
            m = kind == k
            self.n[k] += int(m.sum())
            self.pos[k] += int((pred & m).sum())

    def rate(self, k):
        return self.pos[k] / self.n[k] if self.n[k] else float("nan")

    def __str__(self):
        return (f"FPR negatives {self.rate(sds.KIND_NEGATIVE):.3f} ({self.n[sds.KIND_NEGATIVE]}), "
                f"FPR clean {self.rate(sds.KIND_CLEAN):.3f} ({self.n[sds.KIND_CLEAN]}), "
                f"TPR stego {self.rate(sds.KIND_STEGO):.3f} ({self.n[sds.KIND_STEGO]})")


def find_demo_bin(name):
    """Returns the path of the dataserver binary NAME (a path, or a command on
    PATH), or None when there is no such executable."""
    if os.sep not in name:
        return shutil.which(name)
    return name if os.path.isfile(name) and os.access(name, os.X_OK) else None


def start_demo(binary):
    """Starts `dataserver demo` on a free loopback port; returns (process, address)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    addr = f"127.0.0.1:{port}"
    # The demo server writes its summary to our stderr.
    proc = subprocess.Popen([binary, "demo", "--addr", addr], stdout=subprocess.DEVNULL)
    return proc, addr


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--addr", default=os.environ.get("DATASERVER_ADDR", "127.0.0.1:50051"), help="server address(es), comma separated")
    ap.add_argument("--token", default=os.environ.get("DATASERVER_TOKEN"), help="bearer token (env DATASERVER_TOKEN)")
    ap.add_argument("--demo-bin", help="start `DEMO_BIN demo` on a free port and train on it")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--max-seconds", type=float, default=90, help="stop training after this long")
    ap.add_argument("--max-batches", type=int, default=0, help="stop after this many batches (0: no cap)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--mix", default="1:1:1", help="clean:stego:negative")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--alpha-channels", type=int, default=1, choices=(1, 2))
    ap.add_argument("--workers", type=int, default=0, help="DataLoader workers")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--checkpoint", help="save and resume model + data position here")
    ap.add_argument("--mining", action="store_true", help="report per-sample losses and mine hard negatives")
    ap.add_argument("--mining-run", default="", help="feedback run name (default: train-seed-SEED)")
    ap.add_argument("--mining-strength", type=float, default=4, help="largest ratio of two draw weights")
    ap.add_argument("--mining-first-epoch", type=int, default=1, help="first epoch drawn by the losses")
    args = ap.parse_args(argv)
    torch.manual_seed(args.seed)

    demo = None
    if args.demo_bin:
        binary = find_demo_bin(args.demo_bin)
        if binary is None:
            print(f"train.py: --demo-bin {args.demo_bin}: no such executable file. Build it from the repository root "
                  f"with `go build -o dataserver ./cmd/dataserver` (or `go install ./cmd/dataserver` and pass "
                  f"--demo-bin dataserver), or start a server yourself and pass --addr.", file=sys.stderr)
            return 2
        demo, args.addr = start_demo(binary)
    try:
        return train(args)
    finally:
        if demo is not None:
            demo.send_signal(signal.SIGINT)
            try:
                demo.wait(timeout=20)
            except subprocess.TimeoutExpired:
                demo.kill()


def train(args):
    mix = tuple(int(x) for x in args.mix.split(":"))
    mining, reporter = None, None
    if args.mining:
        run = args.mining_run or f"train-seed-{args.seed}"
        mining = sds.Mining(run=run, strength=args.mining_strength, first_epoch=args.mining_first_epoch)
        reporter = sds.LossReporter(args.addr, run=run, token=args.token)
    try:
        return train_with(args, mix, mining, reporter)
    finally:
        if reporter is not None:
            reporter.close()
            print(f"mining: {reporter.queued_total} losses reported, accepted {reporter.accepted}, "
                  f"rejected {reporter.rejected}, dropped {reporter.dropped}, failed {reporter.failed}")


def train_with(args, mix, mining, reporter):
    ds = sds.StreamingDataset(args.addr, token=args.token, batch_size=args.batch_size, mix=mix, seed=args.seed,
                              alpha_channels=args.alpha_channels, consumer="examples/train.py", mining=mining)
    loader = ds.loader(num_workers=args.workers)
    model = SmallDetector(args.alpha_channels)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    start_epoch = 0
    if args.checkpoint and Path(args.checkpoint).exists():
        ck = torch.load(args.checkpoint)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        loader.load_state_dict(ck["data"])
        start_epoch = ck["epoch"]
        print(f"resumed from {args.checkpoint} at epoch {start_epoch}")

    t0 = time.monotonic()
    steps = 0
    for epoch in range(start_epoch, args.epochs):
        ds.set_epoch(epoch)
        model.train()
        total, weight, rates = 0.0, 0, Rates()
        complete = True
        for batch in loader:
            out = model(*sds.model_inputs(batch))
            loss = loss_of(out, batch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            n = len(batch["paths"])
            total += float(loss) * n
            weight += n
            rates.add(out[0].detach(), batch["kind"])
            if reporter is not None:
                reporter.report(batch, per_sample_loss(out, batch), torch.sigmoid(out[0].detach()))
            steps += 1
            if args.max_batches and steps >= args.max_batches:
                complete, stop = False, f"the batch limit (--max-batches {args.max_batches}) reached after {steps} batches"
                break
            if time.monotonic() - t0 > args.max_seconds:
                complete, stop = False, (f"the time limit (--max-seconds {args.max_seconds:g}) reached after {steps} batches, "
                                         f"in epoch {epoch} of {args.epochs}")
                break
        print(f"epoch {epoch}: loss {total / max(weight, 1):.4f} over {weight} samples; {rates}; {time.monotonic() - t0:.1f}s",
              flush=True)
        if reporter is not None:
            # The next epoch's draws use the losses the server holds when its
            # stream opens: send this epoch's before.
            reporter.flush(timeout=30)
        if args.checkpoint:
            # An epoch cut short resumes where it stopped: set_epoch keeps the
            # data position inside the epoch it names.
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "data": loader.state_dict(),
                        "epoch": epoch + 1 if complete else epoch}, args.checkpoint)
        if not complete:
            print(f"stopping: {stop}")
            break

    # One more epoch, unseen order, no updates: the rates of the trained model.
    model.eval()
    ev = sds.StreamingDataset(args.addr, token=args.token, batch_size=args.batch_size, mix=mix, seed=args.seed + 1000,
                              alpha_channels=args.alpha_channels, consumer="examples/train.py eval")
    rates, total, n = Rates(), 0.0, 0
    with torch.no_grad():
        for batch in ev:
            out = model(*sds.model_inputs(batch))
            total += float(loss_of(out, batch)) * len(batch["paths"])
            n += len(batch["paths"])
            rates.add(out[0], batch["kind"])
    print(f"eval (another shuffle of the same tree): loss {total / max(n, 1):.4f}; {rates}")
    print(f"false positive rate on negatives: {rates.rate(sds.KIND_NEGATIVE):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
