import sys

if getattr(sys, "frozen", False):
    # A frozen build's worker processes (aggregate's process pool, started with "spawn") run this
    # same executable: freeze_support() runs the worker and exits before the app starts.
    import multiprocessing

    multiprocessing.freeze_support()

from yibao_desktop.app import run  # noqa: E402

run()
