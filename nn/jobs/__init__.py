"""The command-line jobs, apart from the library: ``note`` (``python -m nn``, the note's 2-2-1 example and
the moons and XOR runs), ``digits`` (the 8×8 digits with an MLP or a CNN), ``walkthrough`` (the step-through
page) and ``report`` (the picture files they write).

The library never imports this package (tests/house/test_architecture.py checks it); jobs import the library.
"""
