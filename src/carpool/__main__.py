"""``python -m carpool`` is the ``carpool`` command."""

from __future__ import annotations

from carpool.cli import main

raise SystemExit(main())
