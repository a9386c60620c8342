"""Reports: plain objects, the single source of both views (rich in render/, JSON on stdout).

One module a command: shape.py (one layer's facts), run.py, trace.py; facts shared between them
live in facts.py. Nothing here imports NumPy or rich.
"""
