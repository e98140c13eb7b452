"""``python -m nn``: the main job, the study note's 2-2-1 example (``nn.jobs.note``; ``--help``)."""

from nn.jobs.note import main

if __name__ == "__main__":
    raise SystemExit(main())
