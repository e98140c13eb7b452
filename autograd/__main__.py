"""``python -m autograd graph "EXPR" --set x=1.5 -o graph.png``: see ``autograd.cli``."""

from autograd.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
