"""Does a data slice cut false positives? ``python -m starlight_dataserver.ablation``
trains the same small detector several times, once per arm (base: clean and
stego only; negatives: the negatives in the mix with their loss weight;
mining: negatives plus hard-negative mining), with the same seeds, steps and
batch size, scores every arm on an evaluation pass of a held-out split (or of
a second server), and reports false-positive and detection rates with 95 %
intervals and the paired differences to base as Markdown, JSON and a PNG plot.
"""

from .arms import ARMS, Arm, arm
from .metrics import Scores, auc, wilson
from .model import Detector
from .run import Config

__all__ = ["ARMS", "Arm", "arm", "Config", "Detector", "Scores", "auc", "wilson", "main"]


def main(argv=None) -> int:
    """The command line (see ``python -m starlight_dataserver.ablation -h``)."""
    from .cli import main as _main
    return _main(argv)
