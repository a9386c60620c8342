"""`explore`: one layer, changed a key at a time. knobs.py holds the settings and what the framework
makes of them (the same core as `shape`), keys.py what each key does and the sentence that says
what it changed, screen.py the frame's content as a plain record (render/explore.py draws it;
render/explore_loop.py runs the terminal)."""
