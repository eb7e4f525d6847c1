"""The face descriptor models beyond dlib's, run on dlib's one landmark fit per face:
faceres (``kyc.liveness.faceres``) and ArcFace (``kyc.liveness.arcface``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kyc.liveness.arcface import ArcfaceEmbedder, get_arcface
from kyc.liveness.faceres import Embedding, FaceresEmbedder, Image, get_faceres


@dataclass(frozen=True)
class FaceModels:
    """faceres and ArcFace, loaded once per process."""

    faceres: FaceresEmbedder
    arcface: ArcfaceEmbedder

    def describe(self, bgr: Image, pts: npt.NDArray[np.float64]) -> tuple[Embedding, Embedding]:
        """(faceres, ArcFace) unit descriptors of the face with 68 landmarks ``pts`` in a
        BGR image."""
        return self.faceres.embed(bgr, pts), self.arcface.embed(bgr, pts)


@lru_cache(maxsize=2)
def get_face_models(models_dir: Path, threads: int = 1) -> FaceModels:
    """The process-wide descriptor models (sha256-verified, loaded on first use)."""
    return FaceModels(get_faceres(models_dir, threads), get_arcface(models_dir, threads))
