"""Run kctui as ``python -m kctui``."""

from kctui.cli import main

raise SystemExit(main())
