"""Allow `python -m conv1dexplain`."""

import sys

from conv1dexplain.cli import main

sys.exit(main())
