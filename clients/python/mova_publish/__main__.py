"""``python -m mova_publish TYPE JSON``: the ``mova-publish`` command."""

from __future__ import annotations

import sys

from mova_publish.cli import main

sys.exit(main(prog="python -m mova_publish"))
