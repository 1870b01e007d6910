"""Markdown reports: ready-made values (context.py) rendered by sandboxed jinja2 (render.py)."""
