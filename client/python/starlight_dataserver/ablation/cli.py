"""The ablation's command line: arms x seeds, progress, resumable state, report."""

import argparse
import os
import signal
import sys
import time
from typing import Dict, List, Optional

import torch

from .arms import ARMS, arm
from .report import build, markdown, write
from .run import Config, State, terminal_progress, train

QUICK = {"steps": 12, "batch_size": 8, "seeds": "0,1", "bootstrap": 200, "checkpoint_every": 5}


def parser() -> argparse.ArgumentParser:
    """The argument parser."""
    p = argparse.ArgumentParser(
        prog="python -m starlight_dataserver.ablation",
        description="Train the same detector once per arm and seed from a data server and report "
                    "what the data makes of false positives and detection on a held-out split.")
    p.add_argument("--addr", required=True, help="the training server, host:port")
    p.add_argument("--eval-addr", default="", help="score on this second server instead (the user's own special cases)")
    p.add_argument("--eval-split", default=None, help="split scored: default 'val', or 'all' with --eval-addr")
    p.add_argument("--arms", default=None, help=f"comma list of arms from {','.join(ARMS)} (default: base,negatives,mining)")
    p.add_argument("--seeds", default="0,1,2", help="comma list of seeds; every arm runs every seed (default 0,1,2)")
    p.add_argument("--steps", type=int, default=300, help="optimiser steps per arm and seed (default 300)")
    p.add_argument("--batch-size", type=int, default=32, help="samples per step (default 32)")
    p.add_argument("--negative-weight", type=float, default=2.0, help="loss weight of the negatives (default 2.0)")
    p.add_argument("--negative-share", type=int, default=1, help="negatives' weight in the mix clean:stego:negative = 1:1:N (default 1)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default 1e-3)")
    p.add_argument("--pairing", action="store_true", help="pair-aware batches (each stego with its cover)")
    p.add_argument("--mining-strength", type=float, default=4.0, help="mining arm: largest draw-weight ratio (default 4)")
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap draws for the intervals (default 1000)")
    p.add_argument("--checkpoint-every", type=int, default=50, help="steps between state saves (default 50)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1: the server shares the cores)")
    p.add_argument("--out", default="ablation-report", help="folder of report.json, report.md, report.png")
    p.add_argument("--state", default=None, help="resumable state file (default OUT/state.pt); rerun to continue")
    p.add_argument("--token", default=os.environ.get("DATASERVER_TOKEN"), help="bearer token (env DATASERVER_TOKEN)")
    p.add_argument("--quick", action="store_true",
                   help="a smoke run (12 steps of 8, seeds 0,1): checks the pipeline, measures nothing")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the ablation; returns the exit code."""
    args = parser().parse_args(argv)
    if args.quick:
        for k, v in QUICK.items():
            setattr(args, k, v)
    try:
        seeds = [int(s) for s in str(args.seeds).split(",") if s.strip()]
    except ValueError:
        print(f"ablation: --seeds {args.seeds!r}: want a comma list of integers", file=sys.stderr)
        return 2
    arms = [a.strip() for a in (args.arms or ",".join(ARMS)).split(",") if a.strip()]
    bad = [a for a in arms if a not in ARMS]
    if bad or not arms or not seeds or args.steps < 1 or args.batch_size < 1:
        print(f"ablation: need arms from {ARMS} (got {arms}), seeds, steps >= 1 and batch size >= 1", file=sys.stderr)
        return 2
    torch.set_num_threads(max(1, args.threads))
    cfg = Config(addr=args.addr, eval_addr=args.eval_addr,
                 eval_split=args.eval_split or ("all" if args.eval_addr else "val"),
                 arms=tuple(arms), seeds=tuple(seeds), steps=args.steps, batch_size=args.batch_size,
                 negative_weight=args.negative_weight, negative_share=args.negative_share, lr=args.lr,
                 pairing=args.pairing, mining_strength=args.mining_strength, bootstrap=args.bootstrap,
                 checkpoint_every=max(1, args.checkpoint_every))
    os.makedirs(args.out, exist_ok=True)
    state = State(args.state or os.path.join(args.out, "state.pt"), cfg.fingerprint())
    if state.load():
        print(f"ablation: resuming from {state.path}: {len(state.done)} of {len(arms) * len(seeds)} runs done",
              file=sys.stderr)
    reporter = reporter_factory(cfg, args.token) if "mining" in arms else None

    def stop(signum, _frame):
        state.save()
        print(f"\nablation: stopped by signal {signum}; the state is in {state.path}: run the same command to resume",
              file=sys.stderr)
        sys.exit(130)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    show = terminal_progress()
    start = time.monotonic()
    results: Dict[str, List[dict]] = {a: [] for a in arms}
    for a in arms:
        spec = arm(a, negative_weight=cfg.negative_weight, negative_share=cfg.negative_share)
        for s in seeds:
            key = State.key(a, s)
            if key not in state.done:
                state.done[key] = train(cfg, spec, s, state, token=args.token, show=show, reporter_factory=reporter)
                state.current = None
                state.save()
            results[a].append(state.done[key])
    config = {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(cfg).items() if k not in ("addr", "eval_addr")}
    config["fingerprint"] = cfg.fingerprint()
    rep = build(config, results, bootstrap=cfg.bootstrap)
    rep["seconds"] = round(time.monotonic() - start, 1)
    paths = write(rep, args.out)
    sys.stdout.write(markdown(rep))
    print(f"\nablation: wrote {paths['md']}, {paths['json']}, {paths['png']} in {rep['seconds']} s", file=sys.stderr)
    return 0


def reporter_factory(cfg: Config, token: Optional[str]):
    """A function run name -> loss reporter for the mining arm (the client's
    background ReportLosses helper)."""
    from .. import LossReporter  # the feedback client

    def make(run: str):
        return LossReporter(cfg.addr, run=run, token=token)
    return make
