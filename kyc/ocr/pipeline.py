"""The document pipeline: photo in, validated fields with confidences and warnings out.

    decode -> detect text lines once (downscaled, never upscaled) -> angle-classify line
    crops -> group lines into documents, find each one's reading direction -> recognise
    -> classify type/side -> extract fields per type -> validate -> quality and fraud
    checks -> portrait, rectified image, filing-ready JPEG.

``DocumentReader`` holds the models; build it once per process and reuse it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kyc.config import Settings
from kyc.imageio import BGRImage, decode_image, read_image_file
from kyc.ocr import quality, regions
from kyc.ocr.cutcodes import reread_cut_codes
from kyc.ocr.documents import BY_NAME, KINDS, DocumentKind
from kyc.ocr.documents.base import (
    EVEN_ODDS,
    OVERPRINT_PIECES,
    Checked,
    RawField,
    clean,
    overprint_pieces,
    without_overprints,
)
from kyc.ocr.documents.id_card_back import term_fits_age
from kyc.ocr.documents.id_card_front import LONE_VALUES
from kyc.ocr.engine import OcrEngine, Quad, TextReading, crop_line
from kyc.ocr.hazards import field_hazards
from kyc.ocr.layout import (
    Line,
    aspect,
    axes_agree,
    beside_window,
    cluster_quads,
    dominant_angle,
    long_axis_angle,
    quad_height,
    quad_length,
    read_span,
    reading_angle,
    to_upright,
)
from kyc.ocr.lineends import covered, drop_double_reads, reread_lost_ends
from kyc.ocr.mrz import fold_full_width, reread_machine_zone, spaced_runs
from kyc.ocr.overprint import detected_line, doubtful_fields
from kyc.ocr.types import HINT_TYPES, DocumentReading, DocumentType, FieldReading, TypeHint
from kyc.ocr.validate import fold_code_letters


@dataclass(frozen=True)
class _Lines:
    quads: list[Quad]
    texts: list[TextReading]
    groups: list[Group]
    h_med: float
    watermark_ink: float | None  # grey level of a watermark's strokes, when there is one
    # the characters of the watermark's words, where it was known by them alone (not
    # faint): its whitened reading is kept only where it reads at least as much of the
    # page besides them (WORDED_FAINT)
    watermark_words: frozenset[str] | None = None


@dataclass(frozen=True)
class Group:
    """Text lines of one document in the photo, with their reading direction."""

    indices: tuple[int, ...]
    angle: float  # radians: the direction the text reads in the image
    kind: str | None
    score: int


# A photo's lines as the passes after the first reading pass them on: boxes, crops,
# readings, the angle classifier's upside-down votes, and the documents' groups.
_LineSet = tuple[list[Quad], list[BGRImage], list[TextReading], list[float], list[Group]]


# Full-width letters and digits (the recogniser's dictionary has both forms; condensed or
# OCR-B digits come back as either) are the ASCII ones, and the full-width yen sign the
# half-width one (￥30万元 read with ￥ at 0.88 and ¥ at 0.12 is one sign read surely);
# full-width brackets stay.
_ASCII = str.maketrans(
    {chr(0xFF10 + i): chr(0x30 + i) for i in range(10)}
    | {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
    | {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}
    | {"￥": "¥"}
)


# A line fainter than this share of the photo's strong lines, running across the text by
# more than WATERMARK_APART, is a watermark. Measured on generated photos: watermarks
# 0.25-0.28, printed labels in light colours and thin fonts 0.42-0.65.
FAINT = 0.35
WATERMARK_APART = math.radians(10.0)
# A watermark whose words were read (three or more lines of them), lighter than this
# share of the strong lines, is whitened at its own ink as well, though not FAINT.
# Measured on tuned photos (seed 401): a grey watermark's lines at 0.37-0.44 (median
# 0.38; fields lost under it: the name, the address), a blue one's at 0.59-0.68 with the
# page's text from 0.70 (too close to whiten by grey level: left); printed lines of
# those pages from 0.63. The boundary sits between 0.44 and 0.63. Pale labels can stand
# lower, so the whitened reading must read at least as much of the page.
WORDED_FAINT = 0.55


def ink_levels(crop: BGRImage) -> tuple[float, float]:
    """A line's ink and paper grey levels (5th and 90th percentile of its crop)."""
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    lo, hi = quality.u8_percentiles(np.asarray(gray, np.uint8), (5, 90))
    return lo, hi


def whiten(image: BGRImage, ink: float) -> BGRImage:
    """The photo with everything as light as a watermark's ink (``ink``, a grey level)
    turned to the colour of its paper: the text, darker, stays."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    # (grey levels are whole: g >= ink - 12 is g >= ceil(ink - 12))
    light = np.asarray(cv2.inRange(gray, math.ceil(ink - 12), 255), np.uint8)
    if not cv2.countNonZero(light):
        return image
    # Each channel's median over the light pixels, from its histogram, and the fill by
    # OpenCV's masked copy: the same image as np.median and a boolean-indexed assignment,
    # which took 0.44-0.5 s on a 12 Mpx photo (measured: 80 ms this way).
    paper = [int(quality.u8_median(image, c, light) or 0) for c in range(3)]
    fill = np.empty_like(image)
    fill[:] = np.array(paper, dtype=np.uint8)
    return np.asarray(cv2.copyTo(fill, light, image.copy()), dtype=np.uint8)


def _page_chars(found: _Lines, words: frozenset[str]) -> int:
    """How much of the page a reading holds: the characters of its documents' lines (a
    watermark's lines left out) that are not characters of the watermark's ``words``
    (its pieces read as garbage stay in the documents' lines)."""
    return sum(
        ch not in words
        for g in found.groups
        for i in g.indices
        for ch in clean(found.texts[i].text)
    )


def text_region(
    image: BGRImage, quads: Sequence[Quad], line: float
) -> tuple[BGRImage, npt.NDArray[np.float32]]:
    """The part of the photo the lines ``quads`` span, three ``line`` heights around
    (within the photo), and its top-left corner in the photo."""
    h, w = image.shape[:2]
    pts = np.concatenate(quads)
    pad = 3 * line
    x0, y0 = (max(0, int(v - pad)) for v in pts.min(axis=0))
    x1, y1 = int(min(w, pts[:, 0].max() + pad)), int(min(h, pts[:, 1].max() + pad))
    return image[y0:y1, x0:x1], np.array([x0, y0], dtype=np.float32)


def keyword_score(
    texts: Sequence[str], keywords: Sequence[str], patterns: Sequence[re.Pattern[str]] = ()
) -> int:
    """How many of ``keywords`` occur in ``texts`` (spaces ignored), plus how many of
    ``patterns`` (e.g. the shape of an ID number) match one of them."""
    compact = [t.replace(" ", "").translate(_ASCII) for t in texts]
    joined = "".join(compact)
    hits = sum(1 for k in keywords if k in joined or cut_keyword(k, compact))
    return hits + sum(1 for p in patterns if any(p.search(t) for t in compact))


# A keyword of CUT_MIN characters or more that the photo's edge cut still names its
# document: a line that starts with its last CUT_SHARE or more (非企业单位登记证书 for
# 民办非企业单位登记证书 on a page whose left part is out of the photo; 社会信用代码 for
# 统一社会信用代码), or ends with its first, the cut at the line's edge as an edge of the
# photo makes it. Shorter keywords cut are too common a string to name anything.
CUT_MIN = 6
CUT_SHARE = 0.6


def cut_keyword(keyword: str, lines: Sequence[str]) -> bool:
    n = len(keyword)
    if n < CUT_MIN:
        return False
    least = math.ceil(CUT_SHARE * n)
    return any(
        line.startswith(keyword[n - k :]) or line.endswith(keyword[:k])
        for line in lines
        for k in range(least, n)
    )


# A document (>= TURN_MIN_LINES lines) whose lines read at a mean character probability
# below TURN_DOUBT is read again turned over; it is turned where that reads at least
# TURN_GAIN better and at TURN_LEAST or more. Measured on the tuned split (seed 7, 108
# groups of 36 ID cards and licenses): text read the right way round, turned over,
# never reached 0.41 mean; every group below 0.5 as read was a hard photo's, and only
# a 2-line seal fragment (0.04 -> 0.55) would have turned. The misread front that
# showed it: 0.20 as read, 0.63 turned.
TURN_MIN_LINES = 3
TURN_DOUBT = 0.5
TURN_GAIN = 0.3
TURN_LEAST = 0.5


def mean_probability(texts: Sequence[TextReading]) -> float:
    """Mean over lines of each line's mean character probability (``mean_prob``; a line
    read as nothing counts 0)."""
    return float(np.mean([mean_prob(t) for t in texts])) if texts else 0.0


def reads_as_document(texts: Sequence[TextReading]) -> bool:
    """Whether lines read as enough of one of the document types (``classify``,
    ``accepts``)."""
    lines = [t.text for t in texts]
    kind, score = classify(lines, KINDS)
    return kind is not None and accepts(BY_NAME[kind], lines, score)


def should_turn(as_read: float, turned: float) -> bool:
    """Whether a document's lines read turned over are the reading (mean probabilities)."""
    return turned >= TURN_LEAST and turned - as_read >= TURN_GAIN


def classify(texts: Sequence[str], allowed: Sequence[DocumentKind]) -> tuple[str | None, int]:
    best: tuple[str | None, int] = (None, 0)
    for kind in allowed:
        score = keyword_score(texts, kind.keywords, kind.patterns)
        if score > best[1]:
            best = (kind.name, score)
    return best


def accepts(kind: DocumentKind, texts: Sequence[str], score: int, least: int | None = None) -> bool:
    """Whether lines classified as ``kind`` with ``score`` are enough of such a document
    (``least``, default the kind's ``min_score``) and show nothing that only a look-alike
    document prints."""
    joined = "".join(t.replace(" ", "") for t in texts)
    enough = kind.min_score if least is None else least
    return score >= enough and not any(w in joined for w in kind.excludes)


ID_SIDES = {"id_card_front": "id_card_back", "id_card_back": "id_card_front"}


def weak_as_pieces(groups: Sequence[Group], texts: Sequence[str]) -> list[Group]:
    """Groups typed as a kind that is not a document in the photo (its groups together
    score too little) are unclassified pieces, for ``_merge`` to attach to the document
    they lie beside, where some kind is: a certificate's column of values typed as an ID
    back by its one 有效期限 was otherwise dropped with every value in it. The other side
    of an ID card stays what it is (a both-sides page's illegible side)."""
    lines: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    for g in groups:
        if g.kind:
            lines.setdefault(g.kind, []).extend(texts[i] for i in g.indices)
            scores[g.kind] = scores.get(g.kind, 0) + g.score
    strong = {k for k in lines if accepts(BY_NAME[k], lines[k], scores[k])}
    if not strong:
        return list(groups)
    return [
        g
        if not g.kind
        or ID_SIDES.get(g.kind) in strong
        or (g.kind in strong and not only_shared([texts[i] for i in g.indices], g.kind, strong))
        else Group(g.indices, g.angle, None, 0)
        for g in groups
    ]


def only_shared(texts: Sequence[str], kind: str, kinds: Collection[str]) -> bool:
    """Whether lines typed as ``kind`` show nothing of it but what another of ``kinds``
    prints too: labels both print, no title, no number of its own shape. Such lines are
    a piece of that other document, not one of their own (a Taiwan permit's fields, 姓名
    性别 出生日期 有效期限 签发机关, cut apart from its title and number and typed as a
    Hong Kong permit, which prints the same labels: the permit was read from its title
    and number alone)."""
    others = [BY_NAME[k] for k in kinds if k != kind]
    if not others:
        return False
    shared = {w for other in others for w in other.keywords}
    own = BY_NAME[kind]
    return keyword_score(texts, [w for w in own.keywords if w not in shared], own.patterns) == 0


# A resident ID card's front prints its six labels small and pale; on a hard photo of a
# both-sides page only its values may be read (蒋立 / 男 / 生1949±10月18日 / an address
# / the number), no label, and the front scored nothing: every front field was lost and
# the page typed as a back. The values have shapes of their own: a row that starts with
# the sex, a birth date, an address that starts with a province's name, a long run of
# digits. A card's back on the page makes a group with two or more of them its front.
_FRONT_VALUES: tuple[Callable[[str], bool], ...] = (
    lambda t: t[:1] in ("男", "女"),
    lambda t: bool(re.search(r"(19|20)\d\d\D{0,2}年|年\d{1,2}月|\d月\d{1,2}日|^(19|20)\d\d$", t)),
    lambda t: regions.starts_with_province(t) and not t.endswith(("公安局", "分局")),
    lambda t: bool(re.search(r"\d{12}", t)),
)
FRONT_VALUES_LEAST = 2


def front_value_shapes(texts: Sequence[str]) -> int:
    """How many of the front's value shapes the lines ``texts`` show."""
    compact = [t.replace(" ", "").translate(_ASCII) for t in texts]
    return sum(1 for shape in _FRONT_VALUES if any(shape(t) for t in compact))


def unlabelled_fronts(groups: Sequence[Group], texts: Sequence[str]) -> list[Group]:
    """Unclassified groups that are the front of the ID card whose back is in the photo,
    read without its labels (``_FRONT_VALUES``); the other groups as they were."""
    kinds = {g.kind for g in groups}
    if "id_card_back" not in kinds or "id_card_front" in kinds:
        return list(groups)
    out = []
    for g in groups:
        shapes = front_value_shapes([texts[i] for i in g.indices]) if g.kind is None else 0
        out.append(
            Group(g.indices, g.angle, "id_card_front", shapes)
            if shapes >= FRONT_VALUES_LEAST
            else g
        )
    return out


def with_lines(
    lines: _LineSet,
    new: Sequence[tuple[Quad, BGRImage, TextReading, int]],
    drop: Collection[int] = (),
) -> _LineSet:
    """The photo's lines with ``new`` ones added (a box, its crop, its reading and the
    index of the group it joins; no vote on its group's direction) and lines ``drop``
    taken out of their groups (they stay in the lists, so that indices hold); a group
    left with no line goes."""
    quads, crops, texts, upside, groups = lines
    joined: dict[int, list[int]] = {}
    for n, (*_line, k) in enumerate(new):
        joined.setdefault(k, []).append(len(quads) + n)
    out = [
        Group(
            (*(i for i in g.indices if i not in drop), *joined.get(k, [])),
            g.angle,
            g.kind,
            g.score,
        )
        for k, g in enumerate(groups)
    ]
    return (
        [*quads, *(q for q, _c, _t, _k in new)],
        [*crops, *(c for _q, c, _t, _k in new)],
        [*texts, *(t for _q, _c, t, _k in new)],
        [*upside, *(0.5 for _ in new)],
        [g for g in out if g.indices],
    )


# How sure the angle classifier is of a group's direction: its voters' |2p - 1|,
# weighted by length. A group under UNSURE_VOTE takes the direction of a group of
# SURE_LINES or more lines at SURE_VOTE or more along the same axis within SURE_NEAR
# median line heights (borrowed_directions). A passport's machine zone, two lines
# apart from the page, voted 0.35 (upside 0.76 and 0.58) and was read upside down
# (ED1 at 0.59, its fillers as >>>); the page beside it voted 0.97.
UNSURE_VOTE = 0.6
SURE_VOTE = 0.9
SURE_LINES = 3
SURE_NEAR = 12.0


def vote_certainty(idx: Sequence[int], quads: Sequence[Quad], upside: Sequence[float]) -> float:
    """How sure the angle classifier was of the lines ``idx`` (0 when none was long
    enough to vote: their direction is then only their boxes' long axes)."""
    num = den = 0.0
    for i in idx:
        if aspect(quads[i]) < 1.5:
            continue
        length = quad_length(quads[i])
        num += length * abs(2 * upside[i] - 1)
        den += length
    return num / den if den else 0.0


def borrowed_directions(
    groups: Sequence[Group], quads: Sequence[Quad], upside: Sequence[float], h_med: float
) -> list[Group]:
    """Groups whose direction the classifier was unsure of (UNSURE_VOTE), or that had
    no line long enough to vote, read the way of the nearest sure group of their axis
    close by (SURE_VOTE, SURE_LINES, SURE_NEAR): a document's parts read one way."""
    sure = [
        g
        for g in groups
        if len(g.indices) >= SURE_LINES and vote_certainty(g.indices, quads, upside) >= SURE_VOTE
    ]
    centres = np.array([q.mean(axis=0) for q in quads], dtype=np.float64).reshape(-1, 2)

    def apart(a: Group, b: Group) -> float:
        pa, pb = centres[list(a.indices)], centres[list(b.indices)]
        return float(np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(axis=2)).min())

    out = []
    for g in groups:
        if sure and vote_certainty(g.indices, quads, upside) < UNSURE_VOTE:
            # (lines too short to vote have no axis of their own either: 性 别 男 of
            # a permit, three square boxes, came out at 90 degrees)
            voted = any(aspect(quads[i]) >= 1.5 for i in g.indices)
            near = [
                (apart(d, g), d)
                for d in sure
                if d is not g and (axes_agree(d.angle, g.angle) or not voted)
            ]
            near = [(gap, d) for gap, d in near if gap < SURE_NEAR * h_med]
            if near:
                g = Group(g.indices, min(near, key=lambda n: n[0])[1].angle, g.kind, g.score)
        out.append(g)
    return out


def upright_points(quad: Quad, angle: float) -> Quad:
    """The corners of ``quad`` in the frame rotated so that text reading at ``angle``
    reads left to right (``to_upright`` without taking the bounding box)."""
    c, s = math.cos(-angle), math.sin(-angle)
    pts = np.asarray(quad, dtype=np.float64)
    xs = pts[:, 0] * c - pts[:, 1] * s
    ys = pts[:, 0] * s + pts[:, 1] * c
    return np.stack([xs, ys], axis=1).astype(np.float32)


def from_upright(box: tuple[float, float, float, float], angle: float) -> Quad:
    """The corners (tl, tr, br, bl) in the photo of a box given in the upright frame of a
    document whose text reads at ``angle`` (the inverse of ``to_upright``)."""
    x0, y0, x1, y1 = box
    c, s = math.cos(angle), math.sin(angle)
    pts = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    xs = pts[:, 0] * c - pts[:, 1] * s
    ys = pts[:, 0] * s + pts[:, 1] * c
    return np.stack([xs, ys], axis=1).astype(np.float32)


# A line of at least SPACED_MIN letters and digits (SPACED_SHARE of its characters) read
# at a mean probability under SPACED_DOUBT is read again squeezed to SPACED_SQUEEZE of
# its width (see DocumentReader._reread_spaced). 0.6 sits inside the 0.5-0.7 that read
# a letter-spaced OCR-B code whole; the doubt bar is the field confidence bar of 0.9.
SPACED_MIN = 8
SPACED_SHARE = 0.8
SPACED_DOUBT = 0.9
SPACED_SQUEEZE = 0.6


# A value found beside its label (DocumentReader._lone_values) is boxed this many label
# heights tall: an ID card prints its values 1.2-1.3 times as tall as its labels.
LONE_TALL = 1.25


def mean_prob(text: TextReading) -> float:
    return float(np.mean([c.prob for c in text.chars])) if text.chars else 0.0


def squeezed_crop(crop: BGRImage) -> BGRImage:
    """A line crop squeezed along the line to SPACED_SQUEEZE of its width."""
    width = max(8, int(crop.shape[1] * SPACED_SQUEEZE))
    return np.asarray(
        cv2.resize(crop, (width, crop.shape[0]), interpolation=cv2.INTER_AREA), dtype=np.uint8
    )


def spaced_candidate(text: TextReading) -> bool:
    """Whether a recognised line is a doubtful run of letters and digits. A line of
    letters alone is words (a name, a country), not a code (every code read here holds
    digits): squeezed, its narrow word spaces are what goes (KWOK,KA MAN at 0.88 read
    squeezed as KWOK,KAMAN at 0.92)."""
    chars = [c.char.translate(_ASCII) for c in text.chars if not c.char.isspace()]
    latin = sum(1 for c in chars if c.isascii() and c.isalnum())
    return (
        latin >= SPACED_MIN and latin >= SPACED_SHARE * len(chars)
        and any(c.isdigit() for c in chars)
        and mean_prob(text) < SPACED_DOUBT
    )  # fmt: skip


# A value whose ink is partly a stamp's red (this share of its ink pixels) was printed
# over by a stamp: its characters may be the stamp's (禁 read into an address under a
# 禁止复印 stamp, at 0.99). Measured on 36 tuned photos: values with no stamp over them
# 0-0.02, business scopes beside a license's seal 0.09-0.10 (already doubtful), values
# under a red stamp 0.15-0.64; the bound sits at the geometric middle of 0.02 and 0.15.
# Above the upper bound the value is itself red (a seal's own text).
STAMP_INK_MIXED = (0.06, 0.9)
# A line of overprint words with this share of its ink red or more is a red stamp's (a
# grey watermark's words hold none), its box detected again without the red, with this
# much of its height around it (``_under_stamps``).
STAMP_RED_OVER = 0.3
UNDER_STAMP_PAD = 0.5
# A stamp is stamped once or twice on a page (复印无效 over a card); more lines of red
# overprint words are a watermark's tiles.
STAMP_LINES_MOST = 2


# Fields re-read from the filing-ready JPEG, and what of them must read the same there.
REREAD_FIELDS = ("id_number", "credit_code", "valid_until")


def reread_key(name: str, text: str) -> str:
    """What a re-read must contain: the code's letters and digits, a date's digits."""
    text = text.translate(_ASCII)
    if name == "valid_until":
        return "长期" if text == "long_term" or "长期" in text else re.sub(r"[^0-9]", "", text)
    # (letters no code holds are the digits they look like, a cross the X, on both
    # sides of the comparison)
    return re.sub(r"[^0-9A-Z]", "", fold_code_letters(text.upper()))


def _char(
    ch: str, prob: float, alts: tuple[tuple[str, float], ...]
) -> tuple[str, float, tuple[tuple[str, float], ...]]:
    """A recognised character in ASCII form, with the probability of every form of it the
    recogniser offered (１ at 0.55 with 1 at 0.43 runner-up is a 1 at 0.98)."""
    ch = ch.translate(_ASCII)
    same = [p for a, p in alts if a.translate(_ASCII) == ch]
    rest = tuple((a.translate(_ASCII), p) for a, p in alts if a.translate(_ASCII) != ch)
    return ch, min(1.0, prob + sum(same)), rest


def make_lines(
    quads: Sequence[Quad], texts: Sequence[TextReading], indices: Sequence[int], angle: float
) -> list[Line]:
    out = []
    for i in indices:
        x0, y0, x1, y1 = to_upright(quads[i], angle)
        chars = [_char(c.char, c.prob, c.alternatives) for c in texts[i].chars]
        out.append(
            Line(
                "".join(c for c, _p, _a in chars),
                x0,
                y0,
                x1,
                y1,
                tuple(p for _c, p, _a in chars),
                tuple(a for _c, _p, a in chars),
                i,
            )
        )
    return out


_FRONT_MARK = re.compile(r"公民身份号码|姓名|住址|\d{17}[\dXx]")
_BACK_MARK = re.compile(r"签发机关|有效期限|\d{4}\.\d{2}\.\d{2}-|^(中华人民共和国|居民身份证)$")


def split_sides(group: Group, quads: Sequence[Quad], texts: Sequence[str]) -> list[tuple[int, ...]]:
    """The lines of a group, or of each card when the group holds both sides of an ID
    card that something between them (a stamp, a handwritten note) joined: the side's
    marker lines lie apart along the page, and the cut goes through the widest gap
    between them."""
    fronts = [i for i in group.indices if _FRONT_MARK.search(texts[i].replace(" ", ""))]
    backs = [i for i in group.indices if _BACK_MARK.search(texts[i].replace(" ", ""))]
    if len(fronts) < 2 or len(backs) < 2:
        return [group.indices]
    for axis in (1, 0):  # cards one above the other, else side by side
        pos = {i: to_upright(quads[i], group.angle)[axis] for i in group.indices}
        f = sorted(pos[i] for i in fronts)
        b = sorted(pos[i] for i in backs)
        lo, hi = (f[-1], b[0]) if f[-1] < b[0] else (b[-1], f[0])
        if lo >= hi:
            continue
        between = sorted([lo, hi, *(p for p in pos.values() if lo < p < hi)])
        cut = max((b2 - b1, (b1 + b2) / 2) for b1, b2 in itertools.pairwise(between))[1]
        first = tuple(i for i in group.indices if pos[i] <= cut)
        return [first, tuple(i for i in group.indices if pos[i] > cut)]
    return [group.indices]


def _line_gap(g: Group, d: Group, quads: Sequence[Quad]) -> float:
    """Distance from the lines of group ``g`` to the nearest line of document ``d``
    (between their bounding boxes)."""

    def gap(a: Quad, b: Quad) -> float:
        dx = max(0.0, float(max(a[:, 0].min(), b[:, 0].min()) - min(a[:, 0].max(), b[:, 0].max())))
        dy = max(0.0, float(max(a[:, 1].min(), b[:, 1].min()) - min(a[:, 1].max(), b[:, 1].max())))
        return math.hypot(dx, dy)

    return min(gap(quads[i], quads[j]) for i in g.indices for j in d.indices)


def _at_foot(g: Group, d: Group, quads: Sequence[Quad]) -> bool:
    """Whether group ``g`` stands at the foot of document ``d`` (all of its parts), in
    ``d``'s upright frame: below its text, across part of its width, and nearer to it
    than its text is tall (a certificate's authority and date under a blank half page:
    12.4 line heights below fields that span 20.9; at the page's right corner, running
    past the right end of its text: 登记管理机关：遵义市民政局 558 px wide, 117 px of
    it right of the certificate's code line)."""
    mine = np.concatenate([upright_points(quads[i], d.angle) for i in g.indices])
    doc = np.concatenate([upright_points(quads[i], d.angle) for i in d.indices])
    (gx0, gy0), (gx1, _gy1) = mine.min(axis=0), mine.max(axis=0)
    (dx0, dy0), (dx1, dy1) = doc.min(axis=0), doc.max(axis=0)
    return bool(gx0 < dx1 and dx0 < gx1 and 0 < gy0 - dy1 < dy1 - dy0)


def _allowed(hint: TypeHint) -> list[DocumentKind]:
    if hint in HINT_TYPES:
        return [BY_NAME[name] for name in HINT_TYPES[hint]]
    return list(BY_NAME.values())


class DocumentReader:
    """Reads ID cards and business licenses. Models load once, at construction."""

    def __init__(self, settings: Settings, engine: OcrEngine | None = None) -> None:
        self.settings = settings
        self.engine = engine or OcrEngine(settings.ocr, settings.models_dir, settings.runtime)
        # Work of a read that needs no model and no GIL, done beside the rest of it
        self._side = ThreadPoolExecutor(2, thread_name_prefix="kyc-read")
        regions.prefixes("110101")  # the region names table, built once per process

    def warm(self) -> None:
        """What a worker prepares at start so that no request pays for it: the models'
        common input shapes and the portrait's face detector."""
        self.engine.warm()
        quality.face_detector()

    # -- entry points ----------------------------------------------------------------
    def read_file(
        self, path: Path, type_hint: TypeHint = "auto", today: dt.date | None = None
    ) -> DocumentReading:
        start = time.perf_counter()
        image = read_image_file(path, self.settings.images)
        return self.read_image(image, type_hint, today, start)

    def read_bytes(
        self, data: bytes, name: str, type_hint: TypeHint = "auto", today: dt.date | None = None
    ) -> DocumentReading:
        start = time.perf_counter()
        image = decode_image(data, self.settings.images, name)
        return self.read_image(image, type_hint, today, start)

    def read_image(
        self,
        image: BGRImage,
        type_hint: TypeHint = "auto",
        today: dt.date | None = None,
        started: float | None = None,
    ) -> DocumentReading:
        t0 = started if started is not None else time.perf_counter()
        today = today or dt.date.today()
        found = self._lines(image)
        if found is None:
            return self._unknown(t0)
        if found.watermark_ink is not None:
            # A watermark over the text: its light strokes merge with the text's in the
            # detector (复印 read into 中华人民共和国, a term line lost). Read again with
            # everything as light as the watermark made paper; quality checks keep the
            # photo as it is.
            again = self._lines(whiten(image, found.watermark_ink))
            words = found.watermark_words
            if again is not None and (
                words is None or _page_chars(again, words) >= _page_chars(found, words)
            ):
                found = again
        quads, texts, groups, h_med = found.quads, found.texts, found.groups, found.h_med

        allowed = _allowed(type_hint)
        classified = []
        for g in groups:
            for part in split_sides(g, quads, [t.text for t in texts]):
                kind, score = classify([texts[i].text for i in part], allowed)
                classified.append(Group(part, g.angle, kind, score))
        classified = weak_as_pieces(classified, [t.text for t in texts])
        classified = unlabelled_fronts(classified, [t.text for t in texts])
        docs = self._accepted(self._merge(classified, quads, h_med), texts)
        return self._read_documents(image, quads, texts, docs, today, t0, h_med)

    # -- steps -------------------------------------------------------------------------
    def _lines(self, image: BGRImage) -> _Lines | None:
        """Text lines of the photo: detected, grouped into documents with their reading
        direction, recognised; a watermark's lines left out. None when there is no text."""
        engine = self.engine
        quads = self._detect(image)
        if quads:
            heights = sorted(quad_height(q) for q in quads)
            h_med = heights[len(heights) // 2]
            quads = [q for q in quads if quad_height(q) >= 0.35 * h_med]
        if not quads:
            return None
        h_med = float(np.median([quad_height(q) for q in quads]))

        crops = [crop_line(image, q) for q in quads]
        # Only lines long enough to vote on their document's direction are classified.
        voters = [i for i, q in enumerate(quads) if aspect(q) >= 1.5]
        upside = [0.5] * len(quads)
        for i, p in zip(voters, engine.upside_down([crops[i] for i in voters]), strict=True):
            upside[i] = p
        groups = self._groups(quads, upside, h_med)
        # Turn each crop so that it reads in its group's direction, then recognise. A box
        # whose long side runs across that direction (one character, a little taller
        # than wide) is cut again along it: cropped by its own long side it would lie
        # on its side.
        for g in groups:
            for i in g.indices:
                along = math.cos(reading_angle(quads[i], upside_down=False) - g.angle)
                if abs(along) < 0.7:
                    crops[i] = crop_line(image, quads[i], reading=g.angle)
                elif along < 0:
                    crops[i] = np.ascontiguousarray(crops[i][::-1, ::-1])
        texts = engine.recognize(crops)
        quads, crops, texts, upside, groups = self._join_spaced_runs(
            image, (quads, crops, texts, upside, groups)
        )
        groups, crops, texts, upside = self._turn_misread_groups(groups, crops, texts, upside)
        texts = self._reread_spaced(crops, texts)
        texts = self._reread_stamped(crops, texts)
        quads, crops, texts, upside, groups = self._under_stamps(
            image, (quads, crops, texts, upside, groups)
        )
        quads, crops, texts, upside, groups = self._lone_values(
            image, (quads, crops, texts, upside, groups)
        )
        texts = fold_full_width(reread_machine_zone(engine.recognize, crops, texts))
        texts = reread_cut_codes(engine.recognize, image, quads, texts)
        inks = [ink_levels(c) for c in crops]
        angles = {i: g.angle for g in groups for i in g.indices}
        dark = [(ink + paper) / 2 for ink, paper in inks]
        texts = reread_lost_ends(engine.recognize, image, quads, crops, texts, angles, dark)
        texts = drop_double_reads(quads, texts, angles)
        # A watermark over the page is not part of any document: without its lines, each
        # document's reading direction is that of its own text. Its lines are pieces of
        # its words read whole somewhere, or faint: printed text stands 140-220 grey
        # levels above its paper, a watermark's 50-60 (both measured on generated
        # photos); below 45% of the photo's strong lines, a line is a watermark.
        contrast = [paper - ink for ink, paper in inks]
        strong = float(np.percentile(contrast, 90))
        faint = {i for i, c in enumerate(contrast) if c < FAINT * strong}
        pieces = overprint_pieces([t.text for t in texts])
        marks = set(pieces)
        for g in groups:
            # Faint and across the document's own text: a watermark (faint labels of a
            # thin font run along the text and stay).
            sure = [i for i in g.indices if i not in faint] or list(g.indices)
            angle = self._angle(sure, quads, upside)
            marks |= {
                i
                for i in g.indices
                if i in faint
                and aspect(quads[i]) >= 2.0
                and not axes_agree(long_axis_angle(quads[i]), angle, WATERMARK_APART)
            }
        if marks:
            groups = [
                Group(kept, self._angle(kept, quads, upside), None, 0)
                for g in groups
                if (kept := tuple(i for i in g.indices if i not in marks))
            ]
        watermark = marks & faint
        if len(watermark) >= 3:
            ink = float(np.median([inks[i][0] for i in watermark]))
            return _Lines(quads, texts, groups, h_med, ink)
        worded = [i for i in pieces if len(clean(texts[i].text)) >= 3]
        if len(worded) >= 3 and np.median([contrast[i] for i in worded]) < WORDED_FAINT * strong:
            ink = float(np.median([inks[i][0] for i in worded]))
            words = frozenset("".join(clean(texts[i].text) for i in worded))
            return _Lines(quads, texts, groups, h_med, ink, watermark_words=words)
        return _Lines(quads, texts, groups, h_med, None)

    def _turn_misread_groups(
        self,
        groups: list[Group],
        crops: list[BGRImage],
        texts: list[TextReading],
        upside: list[float],
    ) -> tuple[list[Group], list[BGRImage], list[TextReading], list[float]]:
        """A document whose lines read as noise is read again turned over, and turned
        where that reads far better, or where only turned over it reads as a document:
        the angle classifier can be wrong about every line of a small, soft document (a
        both-sides page photographed low: the front read at a mean character
        probability of 0.20, turned over at 0.63; a blurred front at 0.26, turned over
        at 0.48, its ID number whole and every label read only that way up)."""
        doubtful = [
            g
            for g in groups
            if len(g.indices) >= TURN_MIN_LINES
            and mean_probability([texts[i] for i in g.indices]) < TURN_DOUBT
        ]
        if not doubtful:
            return groups, crops, texts, upside
        idx = [i for g in doubtful for i in g.indices]
        turned = {i: np.ascontiguousarray(crops[i][::-1, ::-1]) for i in idx}
        again = dict(zip(idx, self.engine.recognize([turned[i] for i in idx]), strict=True))
        crops, texts, upside, out = list(crops), list(texts), list(upside), list(groups)
        for k, g in enumerate(groups):
            if g not in doubtful:
                continue
            as_read = [texts[i] for i in g.indices]
            turned_over = [again[i] for i in g.indices]
            if not (
                should_turn(mean_probability(as_read), mean_probability(turned_over))
                or (reads_as_document(turned_over) and not reads_as_document(as_read))
            ):
                continue
            for i in g.indices:
                crops[i], texts[i], upside[i] = turned[i], again[i], 1.0 - upside[i]
            back = math.remainder(g.angle + math.pi, 2 * math.pi)
            out[k] = Group(g.indices, back, g.kind, g.score)
        return out, crops, texts, upside

    def _reread_spaced(
        self, crops: Sequence[BGRImage], texts: list[TextReading]
    ) -> list[TextReading]:
        """Doubtful lines of letters and digits read again squeezed along the line.

        The recogniser, trained on text set solid, loses characters of a code printed
        letter-spaced (OCR-B credit codes, passport numbers): a clean 18-character credit
        code came back as 16 characters at 0.18. Squeezed to SPACED_SQUEEZE of its width
        the same crop reads whole at 0.5-1.0 per character. The squeezed reading replaces
        the first only where the recogniser is surer of it on average."""
        doubtful = [i for i, t in enumerate(texts) if spaced_candidate(t)]
        return self._reread(crops, texts, doubtful, squeezed_crop, least=0.0)

    def _reread_stamped(
        self, crops: Sequence[BGRImage], texts: list[TextReading]
    ) -> list[TextReading]:
        """Lines partly in a stamp's red read again with the red painted out.

        A red stamp over a value ("与原件一致" over an ID card's term) is boxed with it
        into one tall line that reads as a mixture: 2022.08.1-204.8:1致 at 0.79. Without
        the red, and cut to the rows of ink left, it reads 2022.08.11-2042.08.11 at
        0.96. The new reading must also be confident: a seal's ring crossing print
        leaves strokes that read as other junk (受 at 0.19 became 人 at 0.23 and joined a
        scope). The field keeps the overprint cap (the stamp is measured again on its
        box)."""
        stamped = [
            i
            for i, t in enumerate(texts)
            if t.text
            and STAMP_INK_MIXED[0] <= quality.stamp_ink_share(crops[i]) <= STAMP_INK_MIXED[1]
        ]
        return self._reread(crops, texts, stamped, quality.without_stamp, least=SPACED_DOUBT)

    def _join_spaced_runs(self, image: BGRImage, lines: _LineSet) -> _LineSet:
        """A letter-spaced line boxed character by character (``mrz.spaced_runs``: an
        MRZ at a small scale, its fillers each read alone, some turned over) is read as
        one line: its pieces leave their groups, and the whole line joins the group,
        of those whose lines run along its axis, that holds the nearest other line; it
        is cut and read in that group's direction."""
        quads, _crops, texts, _upside, groups = lines
        angle_of = {i: g.angle for g in groups for i in g.indices}
        runs = spaced_runs(
            quads, [t.text for t in texts], [angle_of.get(i, 0.0) for i in range(len(quads))]
        )
        if not runs:
            return lines
        every = {i for run, _q in runs for i in run}
        centres = [np.asarray(q, np.float64).mean(axis=0) for q in quads]
        found: list[tuple[list[int], Quad, int]] = []
        for run, q in runs:
            axis = long_axis_angle(q)
            centre = np.asarray(q, np.float64).mean(axis=0)
            near = [
                (min(float(np.linalg.norm(centres[i] - centre)) for i in rest), k)
                for k, g in enumerate(groups)
                if (rest := [i for i in g.indices if i not in every]) and axes_agree(g.angle, axis)
            ]
            if near:
                found.append((run, q, min(near)[1]))
        if not found:
            return lines
        cuts = [crop_line(image, q, reading=groups[k].angle) for _run, q, k in found]
        read = self.engine.recognize(cuts)
        new = [(q, crop, t, k) for (_run, q, k), crop, t in zip(found, cuts, read, strict=True)]
        members = {i for run, _q, _k in found for i in run}
        return with_lines(lines, new, members)

    def _under_stamps(self, image: BGRImage, lines: _LineSet) -> _LineSet:
        """The lines a red stamp's words were boxed over, found again with the red painted
        out: a 复印无效 stamp across an ID card's sex row was one box, read as the stamp's
        words (an overprint, left out) with 女 and 汉 in it. Where a line is the words of
        a stamp or watermark (``overprint_pieces``) in red ink (STAMP_RED_OVER of it or
        more), its box and UNDER_STAMP_PAD heights around it are detected again without
        the red; each box found there that no other line holds is read (from the painted
        copy) and joins the stamp line's document, unless it too is overprint or read
        below even odds."""
        quads, crops, texts, _upside, groups = lines
        pieces = overprint_pieces([t.text for t in texts])
        red = [i for i in sorted(pieces) if quality.stamp_ink_share(crops[i]) >= STAMP_RED_OVER]
        group_of = {i: k for k, g in enumerate(groups) for i in g.indices}
        red = [i for i in red if i in group_of]
        if not red or len(red) > STAMP_LINES_MOST:
            # (more: a watermark tiled over the page, its words in red; the whitened
            # second read is for those)
            return lines
        others = [q for k, q in enumerate(quads) if k not in pieces]
        print_l = quality.print_lightness([c for k, c in enumerate(crops) if k not in pieces])
        h, w = image.shape[:2]
        found: list[tuple[Quad, BGRImage, int]] = []
        for i in red:
            pad = UNDER_STAMP_PAD * quad_height(quads[i])
            (x0, y0), (x1, y1) = quads[i].min(axis=0) - pad, quads[i].max(axis=0) + pad
            x0, y0 = max(0, int(x0)), max(0, int(y0))
            x1, y1 = min(w, int(math.ceil(x1))), min(h, int(math.ceil(y1)))
            if x1 - x0 < 8 or y1 - y0 < 8:
                continue
            painted = quality.stamp_painted_out(image[y0:y1, x0:x1], print_l)
            angle = groups[group_of[i]].angle
            offset = np.array([x0, y0], dtype=np.float32)
            for q in self.engine.detect(painted, max_side=max(painted.shape[:2])):
                if covered(q + offset, others + [f[0] for f in found]):
                    continue
                found.append((q + offset, crop_line(painted, q, reading=angle), group_of[i]))
        if not found:
            return lines
        read = self.engine.recognize([c for _q, c, _g in found])
        over = overprint_pieces([t.text for t in texts] + [t.text for t in read])
        new = [
            (q, c, t, g)
            for k, ((q, c, g), t) in enumerate(zip(found, read, strict=True))
            if t.text.strip()
            and mean_prob(t) >= EVEN_ODDS
            and len(texts) + k not in over
            # (nor what is left of the stamp's words, read into junk)
            and not any(piece in t.text for piece in OVERPRINT_PIECES)
        ]
        return with_lines(lines, new)

    def _lone_values(self, image: BGRImage, lines: _LineSet) -> _LineSet:
        """A label of ``LONE_VALUES`` with nothing boxed beside it (an ID card's 民族, its
        汉 left out by the detector: a lone character under the box threshold at one
        scale, boxed at the next): the window beside it (``beside_window``) is read, and
        what it holds joins the label's document, boxed where it was read
        (``read_span``, as tall as LONE_TALL label heights), when it is one of the
        label's values exactly, every character read at even odds or better."""
        quads, _crops, texts, _upside, groups = lines
        found: list[tuple[tuple[float, float, float, float], float, int, tuple[str, ...]]] = []
        for k, g in enumerate(groups):
            for i in g.indices:
                values = LONE_VALUES.get(clean(texts[i].text))
                if values is None:
                    continue
                label = to_upright(quads[i], g.angle)
                others = [to_upright(quads[j], g.angle) for j in g.indices if j != i]
                window = beside_window(label, others)
                if window is not None:
                    found.append((window, LONE_TALL * (label[3] - label[1]), k, values))
        if not found:
            return lines
        angle_of = [g.angle for g in groups]
        read = self.engine.recognize(
            [
                crop_line(image, from_upright(w, angle_of[k]), reading=angle_of[k])
                for w, _h, k, _v in found
            ]
        )
        new = []
        for (window, height, k, values), t in zip(found, read, strict=True):
            if clean(t.text) not in values or min(ch.prob for ch in t.chars) < EVEN_ODDS:
                continue
            box = read_span(window, [ch.at for ch in t.chars], height)
            q = from_upright(box, angle_of[k])
            new.append((q, crop_line(image, q, reading=angle_of[k]), t, k))
        return with_lines(lines, new)

    def _reread(
        self,
        crops: Sequence[BGRImage],
        texts: list[TextReading],
        which: Sequence[int],
        prepare: Callable[[BGRImage], BGRImage],
        least: float,
    ) -> list[TextReading]:
        """``texts`` with lines ``which`` read again from ``prepare``d crops; a new
        reading replaces the first where its mean probability is at least ``least`` and
        higher than the first's."""
        if not which:
            return texts
        out = list(texts)
        again = self.engine.recognize([prepare(crops[i]) for i in which])
        for i, t in zip(which, again, strict=True):
            if mean_prob(t) >= least and mean_prob(t) > mean_prob(texts[i]):
                out[i] = t
        return out

    def _detect(self, image: BGRImage) -> list[Quad]:
        """Text lines from one downscaled pass; when the text came out too small to be
        found reliably at that scale (dense licenses in large photos), a second pass runs
        on the text region only, at the scale the text needs."""
        cfg = self.settings.ocr
        h, w = image.shape[:2]
        scale = min(1.0, cfg.det_max_side / max(h, w))
        # (lines recovered from under a crossing stroke are worked out only for the pass
        # returned: the second pass's region and scale are the boxed lines')
        quads, crossed = self.engine.detect_apart(image)
        if not quads and scale >= 1.0:
            # Nothing at all in a photo smaller than the detector's canvas: its text may
            # be too small to be found at the photo's own size (a card in a 317 x 237
            # photo, its ID number 5 px high): once more, enlarged.
            up = min(cfg.det_max_upscale, cfg.det_max_side / max(h, w))
            if up > 1.0:
                big = np.asarray(
                    cv2.resize(image, None, fx=up, fy=up, interpolation=cv2.INTER_CUBIC),
                    dtype=np.uint8,
                )
                return [q / up for q in self.engine.detect(big)]
        if scale < 1.0 and len(quads) < cfg.det_few_lines:
            side = min(max(h, w), cfg.det_retry_side)
            whole = len(quads) < cfg.det_title_lines
            region = None
            if not whole:
                h25 = float(np.percentile([quad_height(q) for q in quads], 25))
                region = text_region(image, quads, h25)
            if region is not None and region[0].size < cfg.det_region_share * image.size:
                whole = True  # more may lie beside the region, unseen (a both-sides page)
            elif region is not None:
                # A few lines, a card's back has no more: boxed coarsely at this scale
                # (an ID back's term read at 0.6-0.74 from them, 0.97-1.0 from the
                # retry's). The region they span, at the retry's scale: the same boxes as
                # the whole photo at that scale, on the card's part of it.
                found, found_crossed = self._detect_region(*region, side / max(h, w))
                # As many lines there as a larger document has (a small vertical
                # certificate: 4 lines seen at first, 12 in their region, the rest of
                # its text outside it): the region may cut it; the whole photo again
                # (and where the region held nothing at all).
                whole = not found or len(found) >= cfg.det_few_lines
                quads, crossed = found, found_crossed
            if whole:
                # Only a title or two came out: the document's own text may be too small
                # to be seen at this scale at all (a small card in a large photo).
                quads, crossed = self.engine.detect_apart(image, max_side=side)
            scale = side / max(h, w)
        if not quads or scale >= 1.0:
            return [*quads, *crossed()]
        # The smaller half of the lines decides: watermarks and titles are large, and the
        # text that must be read (labels, an ID number) may be the small part of a photo.
        h_med = float(np.percentile([quad_height(q) for q in quads], 25))
        if h_med * scale >= cfg.det_min_line_px:
            return [*quads, *crossed()]
        crop, offset = text_region(image, quads, h_med)
        scale2 = min(1.0, cfg.det_target_line_px / h_med)
        up = 1.0
        if h_med < cfg.det_min_line_px:
            # Text smaller than the detector finds reliably even at the photo's own size
            # (a card a few hundred pixels wide): the region enlarged, the boxes scaled
            # back. Photos whose text reaches that size are never enlarged.
            scale2 = min(cfg.det_max_upscale, cfg.det_target_line_px / h_med)
        if scale2 > 1.0:
            up = scale2
            crop = np.asarray(
                cv2.resize(crop, None, fx=up, fy=up, interpolation=cv2.INTER_CUBIC),
                dtype=np.uint8,
            )
        again = self.engine.detect(
            crop, max_side=max(32, int(max(crop.shape[:2]) * min(1.0, scale2)))
        )
        return [q / up + offset for q in again] if again else [*quads, *crossed()]

    def _detect_region(
        self, crop: BGRImage, offset: npt.NDArray[np.float32], scale: float
    ) -> tuple[list[Quad], Callable[[], list[Quad]]]:
        """The lines of a region of the photo (``text_region``: the region the first
        pass's lines span, padded by their smaller lines' height), detected at ``scale``
        of the photo (``detect_apart``, in photo coordinates)."""
        found, crossed = self.engine.detect_apart(
            crop, max_side=max(32, round(max(crop.shape[:2]) * scale))
        )
        return [q + offset for q in found], lambda: [q + offset for q in crossed()]

    def _groups(self, quads: Sequence[Quad], upside: Sequence[float], h_med: float) -> list[Group]:
        out = []
        known: list[float | None] = []
        for i, q in enumerate(quads):
            sure = aspect(q) >= 3.0 and abs(2 * upside[i] - 1) > 0.8
            known.append(reading_angle(q, upside[i] > 0.5) if sure else None)
        axes = [long_axis_angle(q) if aspect(q) >= 2.0 else None for q in quads]
        clusters = cluster_quads(quads, gap=2.5 * h_med, angles=known, axes=axes)
        # The angle classifier is sometimes sure and wrong about one line: a group of one
        # or two lines that only its reading direction keeps apart from a larger one
        # joins it (two cards facing opposite ways each have many lines).
        loose = cluster_quads(quads, gap=2.5 * h_med, axes=axes)
        home = {i: k for k, idx in enumerate(loose) for i in idx}
        merged: dict[int, list[int]] = {}
        for idx in clusters:
            key = id(idx)
            if len(idx) <= 2:
                peers = [c for c in clusters if len(c) > 2 and home[c[0]] == home[idx[0]]]
                if peers:
                    key = id(max(peers, key=len))
            merged.setdefault(key, []).extend(idx)
        for idx in merged.values():
            out.append(Group(tuple(sorted(idx)), self._angle(idx, quads, upside), None, 0))
        return borrowed_directions(out, quads, upside, h_med)

    @staticmethod
    def _angle(idx: Sequence[int], quads: Sequence[Quad], upside: Sequence[float]) -> float:
        """The reading direction of a group of lines: the angle classifier's votes,
        weighted by each line's length and how sure the classifier was."""
        angles, weights = [], []
        for i in idx:
            q = quads[i]
            if aspect(q) < 1.5:
                continue  # too short to say which way it reads (not classified)
            length = quad_length(q)
            angles.append(reading_angle(q, upside[i] > 0.5))
            weights.append(length * abs(2 * upside[i] - 1) + 1e-3)
        if not angles:
            angles = [long_axis_angle(quads[i]) for i in idx]
            weights = [1.0] * len(angles)
        return dominant_angle(angles, weights)

    @staticmethod
    def _accepted(docs: Sequence[Group], texts: Sequence[TextReading]) -> list[Group]:
        """The documents with enough evidence of their type; beside one side of an ID
        card, a little evidence of the other side is enough (a photocopied page whose
        labels are illegible still shows the front's number)."""

        def ok(d: Group, least: int | None = None) -> bool:
            kind = BY_NAME[d.kind or ""]
            lines = [texts[i].text for i in d.indices]
            return accepts(kind, lines, d.score, least)

        kept = [d for d in docs if ok(d)]
        for d in docs:
            if d not in kept and ID_SIDES.get(d.kind or "") in {k.kind for k in kept} and ok(d, 1):
                kept.append(d)
        return kept

    @staticmethod
    def _merge(groups: Sequence[Group], quads: Sequence[Quad], h_med: float) -> list[Group]:
        """Attach unclassified groups to the nearest document and join the pieces of one
        document (e.g. the title and the fields of an ID card back)."""
        docs = [g for g in groups if g.kind]
        if not docs:
            return []
        centres = {
            id(g): np.mean([quads[i].mean(axis=0) for i in g.indices], axis=0) for g in groups
        }
        merged: dict[str, list[Group]] = {}
        for g in docs:
            merged.setdefault(g.kind or "", []).append(g)
        result = []
        for kind, parts in merged.items():
            indices = [i for p in parts for i in p.indices]
            document = Group(tuple(indices), parts[0].angle, kind, 0)
            for g in groups:
                if g.kind is None:
                    same_way = [
                        d
                        for d in docs
                        if math.cos(d.angle - g.angle) > 0.5 and axes_agree(d.angle, g.angle)
                    ]
                    if not same_way:
                        continue
                    nearest = min(
                        same_way,
                        key=lambda d: float(np.linalg.norm(centres[id(d)] - centres[id(g)])),
                    )
                    dist = float(np.linalg.norm(centres[id(nearest)] - centres[id(g)]))
                    # (or, nearest by its lines, close to a line of the document: a
                    # certificate's authority and date at the foot of a long page, far
                    # from the centre of any of its parts)
                    gaps = {id(d): _line_gap(g, d, quads) for d in same_way}
                    by_lines = min(same_way, key=lambda d: gaps[id(d)])
                    if (
                        (nearest.kind == kind and dist < 12 * h_med)
                        or (by_lines.kind == kind and gaps[id(by_lines)] < 10 * h_med)
                        or (by_lines.kind == kind and _at_foot(g, document, quads))
                    ):
                        indices.extend(g.indices)
            main = max(parts, key=lambda p: len(p.indices))
            result.append(Group(tuple(indices), main.angle, kind, sum(p.score for p in parts)))
        return result

    def _read_documents(
        self,
        image: BGRImage,
        quads: Sequence[Quad],
        texts: Sequence[TextReading],
        docs: Sequence[Group],
        today: dt.date,
        t0: float,
        h_med: float,
    ) -> DocumentReading:
        if not docs:
            return self._unknown(t0)
        names = {d.kind for d in docs}
        if {"id_card_front", "id_card_back"} <= names:
            doc_type: DocumentType = "id_card_both"
            chosen = [d for d in docs if d.kind in ("id_card_front", "id_card_back")]
        else:
            best = max(docs, key=lambda d: (d.score, len(d.indices)))
            doc_type = best.kind  # type: ignore[assignment]
            chosen = [best]
        chosen = sorted(chosen, key=lambda d: d.kind or "")
        areas = [
            quality.Region([quads[i] for i in d.indices], d.angle, d.kind or "") for d in chosen
        ]
        fronts = [r for r in areas if r.kind == "id_card_front"]
        # The portrait's face search (dlib, 30-100 ms, outside the GIL) runs beside the
        # fields and the quality checks, on the core they leave idle (mean read -9%).
        portrait_job = self._side.submit(quality.portrait, image, fronts[0]) if fronts else None
        doc_lines = [make_lines(quads, texts, d.indices, d.angle) for d in chosen]
        all_text = [ln.text for lines in doc_lines for ln in lines]
        fields: dict[str, FieldReading] = {}
        angles: dict[str, float] = {}  # each field's document reading direction
        warnings: list[str] = []
        facts: dict[str, str] = {}
        overprinted: dict[str, str] = {}
        stamp_ink: dict[str, float] = {}
        widened: dict[str, Quad] = {}  # each value's box in the photo, a line wider
        for d, lines in zip(chosen, doc_lines, strict=True):
            kind = BY_NAME[d.kind or ""]
            raw: dict[str, RawField] = kind.extract(without_overprints(lines))
            seal = self._seal_text(image, quads, lines, raw, d.angle)
            if seal:
                raw = kind.extract(
                    without_overprints([ln for ln in lines if ln.source not in seal])
                )
            checked: Checked = kind.check(raw, today)
            doubtful = doubtful_fields(
                {name: f.box for name, f in checked.fields.items() if f.value},
                [detected_line(upright_points(quads[i], d.angle)) for i in d.indices],
            )
            for name, f in checked.fields.items():
                if f.value and f.box is not None and name not in doubtful:
                    share = quality.stamp_ink_share(
                        crop_line(image, from_upright(f.box, d.angle), reading=d.angle)
                    )
                    stamp_ink[name] = round(share, 3)
                    if STAMP_INK_MIXED[0] <= share <= STAMP_INK_MIXED[1]:
                        doubtful[name] = "stamp_ink"
            for name in doubtful:
                f = checked.fields[name]
                # A stamp or watermark over the value: it may be what the stamp left.
                checked.fields[name] = FieldReading(
                    f.value, min(f.confidence, 0.75), f.valid, f.box
                )
            overprinted.update(doubtful)
            fields.update(checked.fields)
            boxes = {n: f.box for n, f in checked.fields.items() if f.value and f.box}
            widened.update(
                {
                    n: from_upright(
                        (b[0] - h_med, b[1] - 0.2 * h_med, b[2] + h_med, b[3] + 0.2 * h_med),
                        d.angle,
                    )
                    for n, b in boxes.items()
                }
            )
            angles.update(dict.fromkeys(checked.fields, d.angle))
            warnings.extend(checked.warnings)
            facts.update(checked.facts)
        if "birth_date" in facts and "valid_from" in facts and "valid_until" in facts:
            fits = term_fits_age(
                dt.date.fromisoformat(facts["birth_date"]),
                dt.date.fromisoformat(facts["valid_from"]),
                facts["valid_until"],
            )
            if not fits:
                for key in ("valid_from", "valid_until"):
                    f = fields[key]
                    fields[key] = FieldReading(f.value, min(f.confidence, 0.5), False, f.box)
        if any("临时" in t for t in all_text):
            warnings.append("TEMPORARY_ID")
        report = quality.assess(image, areas, h_med, all_text)
        hidden = field_hazards(image.shape, widened, h_med, list(report.occluders))
        for name in hidden:
            f = fields[name]
            # Part of it may be cut off, washed out or under a finger: what was read is
            # what was visible.
            fields[name] = FieldReading(f.value, min(f.confidence, 0.5), f.valid, f.box)
        warnings.extend(report.warnings)
        rectified = report.rectified
        to_page: npt.NDArray[np.float64] | None
        page: BGRImage | None
        if doc_type == "id_card_both":
            page, to_page = quality.filing_page(image, report.measures["px_per_mm"])
            upright = False
        else:
            page, upright = rectified, True
            to_page = quality.rectify_transform(report.outline, report.kind)[0]
        filing = quality.filing_jpeg(page, self.settings.ocr.filing_jpeg_max_bytes)
        if filing is not None and not self.filing_copy_legible(
            filing, fields, angles, to_page, upright
        ):
            warnings.append("FILING_COPY_ILLEGIBLE")
        portrait = portrait_job.result() if portrait_job is not None else None
        conf_mean = float(np.mean([f.confidence for f in fields.values()])) if fields else 0.0
        elapsed = (time.perf_counter() - t0) * 1000
        return DocumentReading(
            document_type=doc_type,
            fields=fields,
            warnings=tuple(dict.fromkeys(warnings)),
            quality=round(report.score * (0.5 + 0.5 * conf_mean), 3),
            elapsed_ms=elapsed,
            portrait=portrait,
            rectified=rectified,
            filing_jpeg=filing,
            extra={
                "quality": report.measures,
                "overprinted": overprinted,
                "hidden": hidden,
                "stamp_ink": stamp_ink,
            },
        )

    @staticmethod
    def _seal_text(
        image: BGRImage,
        quads: Sequence[Quad],
        lines: Sequence[Line],
        raw: dict[str, RawField],
        angle: float,
    ) -> set[int]:
        """The lines read into a value that are a seal's own text: inside the value's
        box beside a line that is not, their ink red all through (above
        STAMP_INK_MIXED's upper bound; printed text under a seal stands at 0.06-0.7 of
        it, a ring's words at 0.93-0.99: 工作服务中 of a seal over a certificate's rows
        had been read on after its representative's name, 潘华工作服务中). Labels and
        titles printed red are in no value's box."""
        boxes = [f.box for f in raw.values() if f.value and f.box is not None]
        red: dict[int, bool] = {}  # each line's verdict, measured once
        out: set[int] = set()
        for x0, y0, x1, y1 in boxes:
            inside = [
                ln.source
                for ln in lines
                if ln.source >= 0 and x0 <= ln.cx <= x1 and y0 <= ln.cy <= y1
            ]
            if len(inside) < 2:
                continue
            for i in inside:
                if i not in red:
                    share = quality.stamp_ink_share(crop_line(image, quads[i], reading=angle))
                    red[i] = share > STAMP_INK_MIXED[1]
            if not all(red[i] for i in inside):
                out |= {i for i in inside if red[i]}
        return out

    def filing_copy_legible(
        self,
        jpeg: bytes,
        fields: dict[str, FieldReading],
        angles: dict[str, float],
        to_page: npt.NDArray[np.float64] | None,
        upright: bool = True,
    ) -> bool:
        """Whether the key fields read confidently from the photo read the same from the
        filing-ready JPEG (rule R-DOC-1: the copy the authority receives). ``to_page``
        maps photo coordinates into the JPEG's image (None: the photo itself);
        ``upright``: the JPEG holds the document rectified, reading left to right (else
        each field reads in its direction in the photo)."""
        todo = [
            name
            for name in REREAD_FIELDS
            if (f := fields.get(name)) is not None
            and f.value
            and f.box is not None
            and f.valid
            and f.confidence >= self.settings.ocr.confident
        ]
        if not todo:
            return True
        # Our own JPEG, just encoded: decoded directly, without the upload checks.
        decoded = cv2.imdecode(np.frombuffer(jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            return False  # a copy that does not even decode is not legible
        page = np.asarray(decoded, dtype=np.uint8)
        crops = []
        for name in todo:
            x0, y0, x1, y1 = fields[name].box or (0, 0, 0, 0)
            # The box can miss part of its value: a value's box within its line is
            # shared out by character count (长期 after 2024.12.13-: the box began at
            # 期), and the detector boxes a code short under a seal (the last 1-2
            # characters, 0.6 of a height each, left to the cut-code re-read). One and a
            # half heights each side hold them; a neighbour read with the value is no
            # harm (the re-read must contain the value).
            pad = 1.5 * (y1 - y0)
            quad = from_upright((x0 - pad, y0, x1 + pad, y1), angles[name])
            reading = angles[name]
            if to_page is not None:
                quad = cv2.perspectiveTransform(quad[None].astype(np.float64), to_page)[0]
                if upright:
                    reading = 0.0  # the rectified document reads left to right
            crops.append(crop_line(page, quad.astype(np.float32), reading=reading))
        texts = self._reread_spaced(crops, self.engine.recognize(crops))
        return all(
            reread_key(name, fields[name].value or "") in reread_key(name, t.text)
            for name, t in zip(todo, texts, strict=True)
        )

    @staticmethod
    def _unknown(t0: float) -> DocumentReading:
        return DocumentReading(
            document_type="unknown",
            fields={},
            warnings=("NOT_A_DOCUMENT",),
            quality=0.0,
            elapsed_ms=(time.perf_counter() - t0) * 1000,
        )
