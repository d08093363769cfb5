"""Helpers shared by the reliability tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"


def child_env() -> dict[str, str]:
    """Environment for helper processes: the repo importable, no stray output buffering."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), str(ROOT)]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


PYTHON = sys.executable
