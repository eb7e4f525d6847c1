"""Sub-commands of this package (registered by kyc.cli)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add this package's sub-commands to the ``kyc`` parser (none yet)."""
    _ = (sub, argparse)
