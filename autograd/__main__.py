"""``python -m autograd graph "EXPR" --set x=1.5 -o graph.png`` (see ``autograd.cli``), and
``python -m autograd check "EXPR" --set x=1.5 --expect "d/dx=…"`` (see ``autograd.cli.check``)."""

import sys

from autograd.cli import main
from autograd.cli.check import main as check

if __name__ == "__main__":
    raise SystemExit(check(sys.argv[2:]) if sys.argv[1:2] == ["check"] else main())
