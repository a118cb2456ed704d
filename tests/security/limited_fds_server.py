"""``served_apps.py`` under a lowered file-descriptor limit (soft and hard: ``CARPOOL_TEST_FD_LIMIT``).

With the hard limit lowered too, the server cannot raise it again: it has exactly that many
descriptors, as on a host whose limit is small.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))

import served_apps

if __name__ == "__main__":
    limit = int(os.environ["CARPOOL_TEST_FD_LIMIT"])
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    served_apps.main(sys.argv)
