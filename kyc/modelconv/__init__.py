"""Model conversion at set-up time (never at run time): models released in another
framework's format are converted once, deterministically, into ONNX files whose sha256
is pinned in ``models/manifest.json``."""
