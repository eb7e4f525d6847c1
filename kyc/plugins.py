"""Pluggable parts named ``module:attribute`` (the document reader, the video check, the
backdrop and form checks): the API's workers and the batch workers resolve them here."""

from __future__ import annotations

import importlib
from typing import Any


def load_spec(spec: str) -> Any:
    """The attribute ``attr`` of module ``module`` named by ``"module:attr"``; ImportError
    or AttributeError when either is missing."""
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)
