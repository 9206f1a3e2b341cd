"""python -m starlight_dataserver.ablation"""

import sys

from .cli import main

sys.exit(main())
