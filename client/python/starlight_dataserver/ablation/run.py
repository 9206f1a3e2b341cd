"""Training and scoring one (arm, seed), with a resumable state."""

import hashlib
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

import torch

from .._proto import dataserver_pb2 as pb
from ..batch import KIND_NEGATIVE
from ..dataset import StreamingDataset
from ..feedback import Mining
from ..transport import Connection
from .arms import Arm
from .metrics import Scores
from .model import Detector, inputs_of, losses

#: Version of the state file's layout.
STATE_VERSION = 1


@dataclass
class Config:
    """The settings of one ablation; everything that decides its figures."""

    addr: str
    eval_addr: str = ""
    eval_split: str = "val"
    arms: Sequence[str] = ("base", "negatives")
    seeds: Sequence[int] = (0, 1, 2)
    steps: int = 300
    batch_size: int = 32
    negative_weight: float = 2.0
    negative_share: int = 1
    lr: float = 1e-3
    pairing: bool = False
    mining_strength: float = 4.0
    mining_first_epoch: int = 1
    bootstrap: int = 1000
    checkpoint_every: int = 50

    def fingerprint(self) -> str:
        """A digest of the settings that decide the figures (not where the
        servers are), so a state file resumes only the same ablation."""
        d = asdict(self)
        for k in ("addr", "eval_addr", "checkpoint_every", "bootstrap"):
            d.pop(k)
        d["arms"], d["seeds"] = list(d["arms"]), list(d["seeds"])
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Progress:
    """What the terminal shows while an arm trains."""

    arm: str
    seed: int
    step: int = 0
    steps: int = 0
    epoch: int = 0
    loss: float = float("nan")
    samples_per_second: float = 0.0

    def line(self) -> str:
        """One status line."""
        return (f"arm {self.arm} seed {self.seed}: epoch {self.epoch} step {self.step}/{self.steps} "
                f"loss {self.loss:.4f} {self.samples_per_second:,.0f} samples/s")


class State:
    """The resumable state in one file: finished (arm, seed) results and the
    checkpoint of the one in progress. Written atomically (temp + rename)."""

    def __init__(self, path: str, fingerprint: str):
        self.path = path
        self.fingerprint = fingerprint
        self.done: Dict[str, dict] = {}
        self.current: Optional[dict] = None
        self.nonce = os.urandom(6).hex()

    @staticmethod
    def key(arm: str, seed: int) -> str:
        """The key of one (arm, seed)."""
        return f"{arm}/{seed}"

    def load(self) -> bool:
        """Reads the file if there is one of the same ablation; True when it did."""
        if not self.path or not os.path.exists(self.path):
            return False
        d = torch.load(self.path)
        if d.get("version") != STATE_VERSION or d.get("fingerprint") != self.fingerprint:
            raise SystemExit(f"ablation: {self.path} holds the state of other settings "
                             f"(fingerprint {d.get('fingerprint')}, these {self.fingerprint}): "
                             "remove it or pass another --state")
        self.done, self.current, self.nonce = d["done"], d.get("current"), d["nonce"]
        return True

    def save(self) -> None:
        """Writes the file atomically."""
        if not self.path:
            return
        tmp = self.path + ".tmp"
        torch.save({"version": STATE_VERSION, "fingerprint": self.fingerprint, "nonce": self.nonce,
                    "done": self.done, "current": self.current}, tmp)
        os.replace(tmp, self.path)


def mining_run_name(state: State, arm: Arm, seed: int) -> str:
    """The feedback run name of a mining arm: unique to this ablation (its
    nonce), so losses of an earlier ablation never steer this one."""
    return f"ablation-{state.nonce}-{arm.name}-s{seed}"


def train(cfg: Config, arm: Arm, seed: int, state: State, *, token: Optional[str],
          show: Callable[[Progress], None], reporter_factory=None) -> dict:
    """Trains the detector on arm's data for cfg.steps optimiser steps
    (resuming from state's checkpoint when it holds one of this arm and
    seed), then scores it; returns the finished result."""
    key = State.key(arm.name, seed)
    torch.manual_seed(seed)
    model = Detector()
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    opts = arm.dataset_options()
    run = mining_run_name(state, arm, seed)
    if arm.mining:
        opts["mining"] = Mining(run=run, strength=cfg.mining_strength, first_epoch=cfg.mining_first_epoch)
    if cfg.pairing:
        opts["pairing"] = True
    ds = StreamingDataset(cfg.addr, batch_size=cfg.batch_size, seed=seed, epochs=1,
                          alpha_channels=2, split="train", token=token,
                          consumer=f"ablation-{arm.name}", **opts)
    cur = state.current if state.current and state.current.get("key") == key else None
    step, samples, seconds, loss_log = 0, 0, 0.0, []
    if cur is not None:
        model.load_state_dict(cur["model"])
        opt.load_state_dict(cur["optimizer"])
        ds.load_state_dict(cur["dataset"])
        torch.set_rng_state(cur["rng"])
        step, samples, seconds, loss_log = cur["step"], cur["samples"], cur["seconds"], cur["losses"]
    reporter = reporter_factory(run) if arm.mining and reporter_factory else None
    p = Progress(arm.name, seed, step=step, steps=cfg.steps)
    model.train()
    t0, s0 = time.monotonic(), samples
    try:
        # One stream per epoch: the reporter is flushed between epochs, so
        # the summary mining freezes for epoch e holds every loss of e-1.
        while step < cfg.steps:
            ds.set_epoch(ds.epoch, 1)
            finished, got = True, 0
            for batch in ds:
                got += 1
                out = model(*inputs_of(batch))
                per_sample, loss = losses(out, batch)
                opt.zero_grad()
                loss.backward()
                opt.step()
                if reporter is not None:
                    reporter.report(batch, per_sample)
                step += 1
                samples += len(batch["content_ids"])
                loss_log.append(float(loss))
                el = time.monotonic() - t0
                p.step, p.epoch, p.loss = step, int(batch["epoch"]), float(loss)
                p.samples_per_second = (samples - s0) / el if el > 0 else 0.0
                show(p)
                if step % cfg.checkpoint_every == 0 or step >= cfg.steps:
                    state.current = {"key": key, "model": model.state_dict(), "optimizer": opt.state_dict(),
                                     "dataset": ds.state_dict(), "rng": torch.get_rng_state(), "step": step,
                                     "samples": samples, "seconds": seconds + el, "losses": loss_log}
                    state.save()
                if step >= cfg.steps:
                    finished = False
                    break
            if reporter is not None:
                reporter.flush()
            if got == 0:
                raise RuntimeError(f"arm {arm.name} seed {seed}: epoch {ds.epoch} of split 'train' delivered no batch")
            if finished:
                ds.set_epoch(ds.epoch + 1, 1)
    finally:
        if reporter is not None:
            reporter.close()
    seconds += time.monotonic() - t0
    scores, coverage = score(cfg, model, token=token)
    return {"arm": arm.name, "seed": seed, "steps": step, "samples": samples, "seconds": seconds,
            "final_loss": sum(loss_log[-20:]) / max(1, len(loss_log[-20:])),
            "scores": scores.to_dict(), "coverage": coverage}


def score(cfg: Config, model: Detector, *, token: Optional[str]):
    """Scores the model on one evaluation pass of the eval split (every
    sample exactly once); returns the Scores and the coverage check."""
    addr = cfg.eval_addr or cfg.addr
    ds = StreamingDataset(addr, batch_size=cfg.batch_size, split=cfg.eval_split, evaluation=True,
                          alpha_channels=2, token=token, consumer="ablation-eval")
    keys: List[str] = []
    kinds, methods, cats, labels, probs = [], [], [], [], []
    model.eval()
    with torch.no_grad():
        for batch in ds:
            stego, _ = model(*inputs_of(batch))
            keys += [f"{c}:{p}" for c, p in zip(batch["content_ids"], batch["paths"])]
            kinds += batch["kind"].tolist()
            methods += batch["method"].tolist()
            cats += list(batch["negative_categories"])
            labels += batch["label"].tolist()
            probs += torch.sigmoid(stego).tolist()
    model.train()
    coverage = {"scored": len(keys), "distinct": len(set(keys)), "expected": expected_samples(addr, cfg.eval_split, token),
                "negatives": sum(1 for k in kinds if k == KIND_NEGATIVE)}
    return Scores(keys, kinds, methods, cats, labels, probs), coverage


def expected_samples(addr: str, split: str, token: Optional[str]) -> Optional[int]:
    """The number of samples the server says the split serves (Stats), or
    None when it does not report splits."""
    with Connection(addr, token=token) as c:
        st = c.stub().Stats(pb.StatsRequest(page_size=1), timeout=30, metadata=c.metadata or None)
    for s in st.splits:
        if s.split == split:
            return int(s.samples)
    return None


def terminal_progress(stream=sys.stderr, every: float = 2.0) -> Callable[[Progress], None]:
    """A show function: rewrites one status line on a terminal, else prints
    a line every few seconds and at each arm's last step."""
    last = [0.0]
    tty = stream.isatty()

    def show(p: Progress) -> None:
        now = time.monotonic()
        if tty:
            stream.write("\r" + p.line() + " " * 8)
            if p.step >= p.steps:
                stream.write("\n")
            stream.flush()
        elif now - last[0] >= every or p.step >= p.steps:
            last[0] = now
            print(p.line(), file=stream, flush=True)
    return show
