"""The ablation's figures: rates with Wilson intervals, ROC AUC, and paired
bootstrap intervals for the differences between arms."""

import math
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

#: z for a two-sided 95 % interval.
Z95 = 1.959963984540054

#: The decision threshold on the stego probability.
THRESHOLD = 0.5


def wilson(k: int, n: int, z: float = Z95) -> Tuple[float, float]:
    """The Wilson score interval of k successes in n trials ((nan, nan) when n is 0)."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC of scores for labels 1 against 0 (Mann-Whitney, ties counted
    half); nan when either class is absent."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    if len(pos) == 0 or len(neg) == 0:
        return math.nan
    allv = np.concatenate([pos, neg])
    _, inv, counts = np.unique(allv, return_inverse=True, return_counts=True)
    # Average rank (1-based) of each distinct value, ties sharing it.
    avg = np.cumsum(counts) - (counts - 1) / 2.0
    ranks = avg[inv]
    r_pos = ranks[:len(pos)].sum()
    return float((r_pos - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


class Scores:
    """One scoring pass: per val sample its key, kind, technique, category,
    label and predicted stego probability, in one fixed sample order."""

    def __init__(self, keys: Sequence[str], kinds: Sequence[int], methods: Sequence[int],
                 categories: Sequence[str], labels: Sequence[int], probs: Sequence[float]):
        self.keys = list(keys)
        self.kinds = np.asarray(kinds, dtype=np.int64)
        self.methods = np.asarray(methods, dtype=np.int64)
        self.categories = np.asarray(categories, dtype=object)
        self.labels = np.asarray(labels, dtype=np.int64)
        self.probs = np.asarray(probs, dtype=np.float64)

    def aligned(self, order: Sequence[str]) -> "Scores":
        """The same scores in the sample order given by keys."""
        at = {k: i for i, k in enumerate(self.keys)}
        idx = np.array([at[k] for k in order], dtype=np.int64)
        return Scores([self.keys[i] for i in idx], self.kinds[idx], self.methods[idx],
                      self.categories[idx], self.labels[idx], self.probs[idx])

    def to_dict(self) -> Dict[str, list]:
        """Plain values, for the resumable state."""
        return {"keys": self.keys, "kinds": self.kinds.tolist(), "methods": self.methods.tolist(),
                "categories": [str(c) for c in self.categories], "labels": self.labels.tolist(),
                "probs": self.probs.tolist()}

    @classmethod
    def from_dict(cls, d: Dict[str, list]) -> "Scores":
        """The inverse of to_dict."""
        return cls(d["keys"], d["kinds"], d["methods"], d["categories"], d["labels"], d["probs"])


def metric_masks(s: Scores, kind_clean: int, kind_stego: int, kind_negative: int,
                 methods: Sequence[str]) -> Dict[str, Tuple[np.ndarray, bool]]:
    """The rate metrics of a scoring pass: name -> (mask of the samples it
    counts, whether a hit is a positive call). False-positive rates count
    clean or negative samples called stego; detection rates stego samples
    called stego."""
    out: Dict[str, Tuple[np.ndarray, bool]] = {
        "fpr_clean": (s.kinds == kind_clean, True),
        "fpr_negatives": (s.kinds == kind_negative, True),
    }
    for cat in sorted({str(c) for c, k in zip(s.categories, s.kinds) if k == kind_negative}):
        out[f"fpr_negatives/{cat}"] = ((s.kinds == kind_negative) & (s.categories == cat), True)
    out["detection"] = (s.kinds == kind_stego, True)
    for i, m in enumerate(methods):
        mask = (s.kinds == kind_stego) & (s.methods == i)
        if mask.any():
            out[f"detection/{m}"] = (mask, True)
    return out


def rate(s: Scores, mask: np.ndarray, idx: Optional[np.ndarray] = None) -> Tuple[int, int]:
    """(samples called stego, samples) among mask, over the sample indices idx (default all)."""
    called = s.probs >= THRESHOLD
    if idx is None:
        return int((called & mask).sum()), int(mask.sum())
    return int((called[idx] & mask[idx]).sum()), int(mask[idx].sum())


def _value(s: Scores, name: str, mask: Optional[np.ndarray], idx: np.ndarray) -> float:
    if name == "auc":
        return auc(s.probs[idx], s.labels[idx])
    k, n = rate(s, mask, idx)
    return k / n if n else math.nan


def summarize(runs: List[Scores], names: Dict[str, Tuple[np.ndarray, bool]], boot: int, rng: np.random.Generator) -> Dict[str, dict]:
    """An arm's figures over its seeds (runs aligned to one sample order):
    each rate pooled over seeds with its Wilson interval, and the AUC's mean
    over seeds with a bootstrap interval over val samples."""
    out: Dict[str, dict] = {}
    for name, (mask, _) in names.items():
        k = n = 0
        for r in runs:
            a, b = rate(r, mask)
            k, n = k + a, n + b
        lo, hi = wilson(k, n)
        out[name] = {"value": k / n if n else math.nan, "lo": lo, "hi": hi, "k": k, "n": n,
                     "per_seed": [_value(r, name, mask, np.arange(len(r.keys))) for r in runs]}
    m = len(runs[0].keys)
    per_seed = [auc(r.probs, r.labels) for r in runs]
    draws = []
    for _ in range(boot):
        idx = rng.integers(0, m, m)
        draws.append(_nanmean([auc(r.probs[idx], r.labels[idx]) for r in runs]))
    lo, hi = _percentiles(draws)
    out["auc"] = {"value": float(_nanmean(per_seed)), "lo": lo, "hi": hi, "n": m, "per_seed": per_seed}
    return out


def paired_difference(arm: List[Scores], base: List[Scores], names: Dict[str, Tuple[np.ndarray, bool]],
                      boot: int, rng: np.random.Generator) -> Dict[str, dict]:
    """arm minus base for every metric: the mean over seeds of the per-seed
    difference, with a 95 % interval from a paired bootstrap that resamples
    the seeds and the val samples together (the same draws for both arms)."""
    seeds = min(len(arm), len(base))
    m = len(arm[0].keys)
    out: Dict[str, dict] = {}
    all_names = list(names) + ["auc"]
    point = {}
    for name in all_names:
        mask = names[name][0] if name in names else None
        full = np.arange(m)
        point[name] = float(_nanmean([_value(arm[i], name, mask, full) - _value(base[i], name, mask, full)
                                        for i in range(seeds)]))
    draws: Dict[str, list] = {n: [] for n in all_names}
    for _ in range(boot):
        pick = rng.integers(0, seeds, seeds)
        idx = rng.integers(0, m, m)
        for name in all_names:
            mask = names[name][0] if name in names else None
            d = [_value(arm[i], name, mask, idx) - _value(base[i], name, mask, idx) for i in pick]
            draws[name].append(_nanmean(d))
    for name in all_names:
        lo, hi = _percentiles(draws[name])
        out[name] = {"value": point[name], "lo": lo, "hi": hi}
    return out


def _nanmean(values) -> float:
    """The mean of the non-NaN values; NaN (without a warning) when there are none."""
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    return float(v.mean()) if len(v) else math.nan


def _percentiles(draws) -> Tuple[float, float]:
    v = np.asarray([d for d in draws if not math.isnan(d)], dtype=np.float64)
    if len(v) == 0:
        return (math.nan, math.nan)
    return (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5)))
