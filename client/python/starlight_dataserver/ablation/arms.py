"""The arms of the ablation: what data each one trains on. Everything else
(seeds, steps, batch size, model, optimiser) is the same in every arm."""

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

#: Every arm, in report order.
ARMS = ("base", "negatives", "mining")


@dataclass(frozen=True)
class Arm:
    """One arm: its mix, the negatives' loss weight and whether it mines."""

    name: str
    mix: Tuple[int, int, int]
    negative_weight: Optional[float]
    mining: bool

    def dataset_options(self) -> Dict[str, object]:
        """The StreamingDataset options this arm sets."""
        opts: Dict[str, object] = {"mix": self.mix}
        if self.negative_weight is not None:
            opts["loss_weights"] = {"negative": self.negative_weight}
        return opts


def arm(name: str, *, negative_weight: float, negative_share: int) -> Arm:
    """The arm called name: base trains on clean and stego only (1:1:0);
    negatives adds the negatives to the mix (1:1:negative_share) with their
    loss weight; mining is negatives plus hard-negative mining."""
    if name == "base":
        return Arm("base", (1, 1, 0), None, False)
    if name == "negatives":
        return Arm("negatives", (1, 1, negative_share), negative_weight, False)
    if name == "mining":
        return Arm("mining", (1, 1, negative_share), negative_weight, True)
    raise ValueError(f"unknown arm {name!r}: choose from {', '.join(ARMS)}")
