"""``python -m webio_desktop app.py``: the same as the ``webio-desktop`` command."""
from webio_desktop.desktop.cli import main

raise SystemExit(main())
