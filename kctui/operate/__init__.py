"""Operating connectors: files, config diffs, masking round trips, apply, offsets, editor.

Pure logic with no Textual import, shared by ``kctui apply``/``kctui offsets`` and the console.
"""
