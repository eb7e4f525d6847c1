"""The face models beyond dlib's, run on dlib's one landmark fit per face: the
descriptors faceres (``kyc.liveness.faceres``) and ArcFace (``kyc.liveness.arcface``),
and the face mesh (``kyc.liveness.facemesh``) for the video's action signals."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kyc.liveness.arcface import ArcfaceEmbedder, get_arcface
from kyc.liveness.facemesh import FaceMeshModel, get_facemesh
from kyc.liveness.faceres import Embedding, FaceresEmbedder, Image, get_faceres


@dataclass(frozen=True)
class FaceModels:
    """faceres, ArcFace and the face mesh, loaded once per process."""

    faceres: FaceresEmbedder
    arcface: ArcfaceEmbedder
    mesh: FaceMeshModel

    def describe(self, bgr: Image, pts: npt.NDArray[np.float64]) -> tuple[Embedding, Embedding]:
        """(faceres, ArcFace) unit descriptors of the face with 68 landmarks ``pts`` in a
        BGR image."""
        return self.faceres.embed(bgr, pts), self.arcface.embed(bgr, pts)


@lru_cache(maxsize=2)
def get_face_models(models_dir: Path, threads: int = 1) -> FaceModels:
    """The process-wide models (sha256-verified, loaded on first use), all on the
    inference adapter, in f32 (the face match is calibrated in f32): the face mesh, the
    iris model and ArcFace on the configured back end (``KYC_RUNTIME__BACKEND``), faceres
    on onnxruntime, which runs
    its converted graph in 7-8 ms a face where OpenVINO takes 16 ms, fixed shape or not
    (measured on 19 press photos; the descriptors agree to a cosine of 1 - 1e-12 on
    both)."""
    from kyc.config import get_settings

    backend = get_settings().runtime.backend
    return FaceModels(
        get_faceres(models_dir, threads),
        get_arcface(models_dir, threads, backend),
        get_facemesh(models_dir, threads, backend),
    )
