"""The form check's shell: find and rectify the page, read its text with the project's
OCR engine, measure the marks, and hand the facts to the pure verdict.

    photo -> page quad -> rectified upright A4 page -> text lines (detect once, read the
    label-sized lines) -> labels, values and blanks (parse) -> seals, ink in the blanks,
    tick boxes (marks) -> facts -> findings and decision (decide)
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np
import numpy.typing as npt

from kyc.filing.model import FilingOrder
from kyc.forms import marks, page, parse
from kyc.forms.decide import FormCheck, FormFacts, decide, findings_of
from kyc.forms.settings import FormSettings
from kyc.ocr.engine import OcrEngine, Quad, crop_line
from kyc.ocr.layout import Line, aspect, long_axis_angle, quad_height

BGRImage = npt.NDArray[np.uint8]
Box = tuple[float, float, float, float]


def _bbox(q: Quad) -> Box:
    return (float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max()))


def _no_red(image: BGRImage) -> BGRImage:
    """The page as its red channel in grey: red seal ink turns paper-white, black print
    and blue or black pen stay dark, so a seal over a label does not garble its text."""
    red = image[:, :, 2]
    return np.ascontiguousarray(np.dstack([red, red, red]))


def read_page(
    image: BGRImage, engine: OcrEngine, settings: FormSettings
) -> tuple[BGRImage, list[Line], float, npt.NDArray[np.float64], bool]:
    """The upright rectified page, its recognised lines, the median line height u, the
    photo -> page homography and whether a page outline was found in the photo."""
    fit = page.find_page(image)
    quad = fit.quad
    width = settings.page_width
    rect, hom = page.rectify(image, quad, width)
    quads = engine.detect(_no_red(rect), max_side=settings.det_max_side)
    long = [q for q in quads if aspect(q) >= 2.0]
    if long and float(np.median([abs(long_axis_angle(q)) for q in long])) > math.pi / 4:
        # the text runs down the page: the outline's corners were a quarter turn off
        quad = np.roll(quad, 1, axis=0)
        rect, hom = page.rectify(image, quad, width)
        quads = engine.detect(_no_red(rect), max_side=settings.det_max_side)
    if fit.found and quads:
        # an outline around part of the page (a blank area, a table) magnifies its
        # text: lines much taller than a form's print mean the page is the whole image
        u0 = float(np.median([quad_height(q) for q in quads]))
        if u0 > settings.max_line_height * width / 1000:
            h, w = image.shape[:2]
            full = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
            fit = page.PageFit(page.order_corners(full), False, 0.0)
            quad = fit.quad
            rect, hom = page.rectify(image, quad, width)
            quads = engine.detect(_no_red(rect), max_side=settings.det_max_side)
            long = [q for q in quads if aspect(q) >= 2.0]
            if long and float(np.median([abs(long_axis_angle(q)) for q in long])) > math.pi / 4:
                quad = np.roll(quad, 1, axis=0)
                rect, hom = page.rectify(image, quad, width)
                quads = engine.detect(_no_red(rect), max_side=settings.det_max_side)
    if not quads:
        return rect, [], 0.0, hom, fit.found
    voters = sorted((q for q in quads if aspect(q) >= 3.0), key=lambda q: -float(np.ptp(q[:, 0])))[
        :8
    ]
    if voters:
        upside = engine.upside_down([crop_line(_no_red(rect), q) for q in voters])
        if float(np.mean(upside)) > 0.5:
            quad = np.roll(quad, 2, axis=0)
            rect, hom = page.rectify(image, quad, width)
            h, w = rect.shape[:2]
            quads = [np.stack([w - q[:, 0], h - q[:, 1]], axis=1).astype(np.float32) for q in quads]
            quads = [np.roll(q, 2, axis=0) for q in quads]
    u = float(np.median([quad_height(q) for q in quads]))
    # Paragraph-wide lines (the promise) are never read; the rest in two rounds: the
    # lines that start a row (labels), then only the values right of a key label.
    quads = [
        q
        for q in quads
        if float(np.ptp(q[:, 0])) <= settings.skip_wide_lines * width or quad_height(q) >= 1.3 * u
    ]
    lines = [Line("", *_bbox(q), source=i) for i, q in enumerate(quads)]
    read = [False] * len(quads)
    plain = _no_red(rect)

    def recognise(indices: Sequence[int]) -> None:
        texts = engine.recognize([crop_line(plain, quads[i]) for i in indices])
        for i, t in zip(indices, texts, strict=True):
            ln = lines[i]
            lines[i] = Line(
                t.text,
                ln.x0,
                ln.y0,
                ln.x1,
                ln.y1,
                tuple(c.prob for c in t.chars),
                tuple(c.alternatives for c in t.chars),
                i,
            )
            read[i] = True

    # one-character boxes (年 月 日 of a date, 是 否 beside tick boxes) are no label: they
    # are read only when a key label asks for them
    starts = parse.row_starts([_bbox(q) for q in quads], u)
    recognise([i for i in starts if float(np.ptp(quads[i][:, 0])) >= 1.5 * u])
    for _round in range(3):  # a value read may itself be a label (a four-column table)
        wanted = parse.wanted_values(lines, read, u)
        if not wanted:
            break
        recognise(wanted)
    lines = [ln for ln, r in zip(lines, read, strict=True) if r]
    return rect, lines, u, hom, fit.found


def reread_zone(
    plain: BGRImage, zone: Box, u: float, engine: OcrEngine
) -> list[tuple[str, tuple[float, ...], Box]]:
    """The text in a small blank (a date), detected again on the blank alone at twice
    the scale (single printed characters such as 年 are easily missed on the whole page)
    and recognised: (text, each character's probability, box in page pixels)."""
    h, w = plain.shape[:2]
    pad = 0.3 * u
    x0, y0 = int(max(0, zone[0] - pad)), int(max(0, zone[1] - pad))
    x1, y1 = int(min(w, zone[2] + pad)), int(min(h, zone[3] + pad))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return []
    k = 2.0 if u < 40 else 1.0
    crop = np.asarray(
        cv2.resize(plain[y0:y1, x0:x1], None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC), np.uint8
    )
    quads = engine.detect(crop, max_side=max(crop.shape[:2]))
    if not quads:
        return []
    texts = engine.recognize([crop_line(crop, q) for q in quads])
    out = []
    for q, t in zip(quads, texts, strict=True):
        bx0, by0, bx1, by1 = _bbox(q)
        box = (x0 + bx0 / k, y0 + by0 / k, x0 + bx1 / k, y0 + by1 / k)
        out.append(("".join(c.char for c in t.chars), tuple(c.prob for c in t.chars), box))
    return out


def date_written(
    ink: marks.Ink,
    plain: BGRImage,
    zone: Box,
    label: Line,
    u: float,
    engine: OcrEngine,
    min_ink: float,
    min_figure: float,
) -> tuple[bool, float, str]:
    """Whether something was written into a date blank: a figure read there, or ink
    beside the printed characters (年 月 日 read as such, and the label)."""
    found = reread_zone(plain, zone, u, engine)
    boxes, extra, figure = parse.date_reads(found, min_figure)
    amount = marks.zone_ink(ink, zone, [(label.x0, label.y0, label.x1, label.y1), *boxes])
    return figure or amount >= min_ink, amount, extra


def _union(boxes: Sequence[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def signature_block(label: Line, zone: Box, seal_label: Line | None, u: float, unit: bool) -> Box:
    """Where a seal beside the signature sits: the signature's label, its blank and the
    seal label below them. A unit's seal label is printed under the signature's and the
    seal often hides it (its text unread): the block then still reaches down to its row,
    2.5 lines under the label."""
    parts: list[Box] = [(label.x0, label.y0, label.x1, label.y1), zone]
    if seal_label is not None and abs(seal_label.cy - label.cy) <= 5 * u:
        parts.append((seal_label.x0, seal_label.y0, seal_label.x1, seal_label.y1))
    elif unit:
        parts.append((label.x0, label.y1, label.x1, label.y1 + 2.5 * u))
    return _union(parts)


def _distance(x: float, y: float, box: Box) -> float:
    dx = max(box[0] - x, 0.0, x - box[2])
    dy = max(box[1] - y, 0.0, y - box[3])
    return math.hypot(dx, dy)


def _to_photo(boxes: Sequence[Box], hom: npt.NDArray[np.float64]) -> list[list[list[float]]]:
    inv = np.linalg.inv(hom)
    out = []
    for x0, y0, x1, y1 in boxes:
        pts = np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], np.float64)
        out.append(cv2.perspectiveTransform(pts, inv)[0].round(1).tolist())
    return out


def site_pairs(order: FilingOrder) -> list[tuple[str, str]]:
    """(homepage URL, website principal's name) of every website of the filing."""
    return [(s.homepage_url, order.website_principal(s).name) for s in order.websites]


def match_filing(
    text: parse.FormText, pairs: Sequence[tuple[str, str]], sure: float
) -> tuple[bool | None, bool | None, bool | None]:
    """(matches, principal_ok, url_ok): the printed homepage URL and website principal
    are those of one website of the filing; False as soon as every website differs in
    one of them, None when it cannot be told (not found, misread)."""
    best: tuple[int, bool | None, bool | None] = (-1, None, None)
    for url, name in pairs:
        u_ok = parse.compare(text.homepage_url, [url], "url", sure)
        p_ok = parse.compare(text.principal, [name], "name", sure)
        rank = {True: 2, None: 1, False: 0}
        score = min(rank[u_ok], rank[p_ok]) * 3 + rank[u_ok] + rank[p_ok]
        if score > best[0]:
            best = (score, p_ok, u_ok)
    _s, p_ok, u_ok = best
    if u_ok is False or p_ok is False:
        return False, p_ok, u_ok
    if u_ok and p_ok:
        return True, p_ok, u_ok
    return None, p_ok, u_ok


def reread_field(
    photo: BGRImage,
    hom: npt.NDArray[np.float64],
    field: parse.Field,
    u: float,
    engine: OcrEngine,
    stretch: float = 1.0,
) -> parse.Field:
    """The printed value in ``field``'s page box read again from the photo itself, at the
    photo's own resolution (the page is rectified to 1000 px; a photo holds up to twice
    as many pixels across the form), with the page's red removed as before; with
    ``stretch``, the line widened that many times first."""
    x0, y0, x1, y1 = field.box
    pad = 0.15 * u
    box = np.array(
        [[[x0 - pad, y0 - pad], [x1 + pad, y0 - pad], [x1 + pad, y1 + pad], [x0 - pad, y1 + pad]]],
        np.float64,
    )
    quad = cv2.perspectiveTransform(box, np.linalg.inv(hom))[0].astype(np.float32)
    top = quad[1] - quad[0]
    reading = math.atan2(float(top[1]), float(top[0]))
    crop = _no_red(crop_line(photo, quad, reading=reading))
    return _field_of(engine, _stretched(crop, stretch) if stretch != 1.0 else crop, field.box)


# Widths a value is read again at when its reading lacks characters of the filing's
# (the recogniser gets more time steps per character: a doubled letter needs a blank step
# between its two halves, or CTC merges them)
STRETCHES = (1.3, 1.6)


def _stretched(crop: BGRImage, stretch: float) -> BGRImage:
    return np.asarray(
        cv2.resize(crop, None, fx=stretch, fy=1.0, interpolation=cv2.INTER_CUBIC), np.uint8
    )


def read_whole(
    photo: BGRImage,
    hom: npt.NDArray[np.float64],
    rect: BGRImage,
    field: parse.Field,
    wanted: Sequence[str],
    url: bool,
    u: float,
    engine: OcrEngine,
) -> parse.Field | None:
    """A value whose reading is one of ``wanted`` with characters left out (foodedu read
    fodedu, 任霞 read 任), read again widened: the reading that is one of ``wanted`` in
    full, or None. Only characters missing from a reading are looked for again; a value
    read with a character of its own stays as it was read."""
    norm = parse.norm_url if url else parse.norm_name
    expected = [norm(w) for w in wanted]
    got = norm(parse.without_label_tail(field).text)
    if not any(parse.dropped_characters(got, w) for w in expected):
        return None
    x0, y0, x1, y1 = (int(round(v)) for v in field.box)
    pad = int(0.15 * u)
    on_page = _no_red(rect[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad])
    for stretch in STRETCHES:
        readings = [reread_field(photo, hom, field, u, engine, stretch)]
        if on_page.shape[0] >= 4 and on_page.shape[1] >= 4:
            readings.append(_field_of(engine, _stretched(on_page, stretch), field.box))
        for again in readings:
            whole = parse.without_label_tail(again)
            if norm(whole.text) in expected:
                return whole
    return None


def _field_of(engine: OcrEngine, crop: BGRImage, box: parse.Box) -> parse.Field:
    t = engine.recognize([crop])[0]
    probs = tuple(c.prob for c in t.chars)
    text = "".join(c.char for c in t.chars)
    return parse.Field(
        text, box, min(probs, default=0.0), probs, tuple(c.alternatives for c in t.chars)
    )


def provider_filled(
    sign_ink: Sequence[float], dated: bool, signed: bool, read: str, settings: FormSettings
) -> bool:
    """Whether the provider's part of the form was filled in: ink in its signature blank
    as much as a signature's (the applicant's threshold: a signature blank is one,
    whoever signs it), its date written (its own date blank test), a name read after
    its label, or figures read there."""
    return (
        dated
        or signed
        or any(v >= settings.signature_min_ink for v in sign_ink)
        or bool(parse.NUMERALS.search(read))
    )


Verdict = tuple[bool | None, bool | None, bool | None]  # (matches, principal_ok, url_ok)


def look_closer(
    text: parse.FormText,
    verdict: Verdict,
    pairs: Sequence[tuple[str, str]],
    photo: BGRImage,
    hom: npt.NDArray[np.float64],
    rect: BGRImage,
    u: float,
    engine: OcrEngine,
    settings: FormSettings,
) -> tuple[parse.FormText, Verdict]:
    """A printed principal or URL that did not match the filing, read again before it is
    judged: at the photo's resolution (that reading decides where it is sure either way;
    where it cannot tell, the first verdict stands: a confident mismatch is not dropped
    for a blurred second look); then, where a reading is the filing's value with
    characters left out, widened (``read_whole``)."""
    _m, principal_ok, url_ok = verdict
    closer = replace(
        text,
        principal=text.principal
        if principal_ok or text.principal is None
        else reread_field(photo, hom, text.principal, u, engine),
        homepage_url=text.homepage_url
        if url_ok or text.homepage_url is None
        else reread_field(photo, hom, text.homepage_url, u, engine),
    )
    again = match_filing(closer, pairs, settings.name_sure)
    if again[0] is not None:
        text, verdict = closer, again
    if verdict[0] is True:
        return text, verdict
    _m, principal_ok, url_ok = verdict
    names, urls = [n for _u, n in pairs], [w for w, _n in pairs]
    whole_p = (
        read_whole(photo, hom, rect, text.principal, names, False, u, engine)
        if text.principal is not None and principal_ok is not True
        else None
    )
    whole_u = (
        read_whole(photo, hom, rect, text.homepage_url, urls, True, u, engine)
        if text.homepage_url is not None and url_ok is not True
        else None
    )
    if whole_p is None and whole_u is None:
        return text, verdict
    text = replace(
        text, principal=whole_p or text.principal, homepage_url=whole_u or text.homepage_url
    )
    return text, match_filing(text, pairs, settings.name_sure)


def measure(
    rect: BGRImage,
    lines: Sequence[Line],
    u: float,
    pairs: Sequence[tuple[str, str]],
    individual: bool,
    settings: FormSettings,
    engine: OcrEngine,
    photo: BGRImage | None = None,
    hom: npt.NDArray[np.float64] | None = None,
) -> tuple[FormFacts, dict[str, object]]:
    """The facts of a rectified, read page (pure apart from OpenCV arithmetic). With the
    ``photo`` and its photo -> page ``hom``, a printed principal or URL that does not
    match the filing at first is read again from the photo before it is judged."""
    width = rect.shape[1]
    text = parse.read_form(lines, u, width, settings.figure_min_prob)
    if not text.is_form:
        return FormFacts(form_detected=False, individual=individual, matches_filing=None), {}
    matches, principal_ok, url_ok = match_filing(text, pairs, settings.name_sure)
    if matches is not True and photo is not None and hom is not None:
        text, (matches, principal_ok, url_ok) = look_closer(
            text, (matches, principal_ok, url_ok), pairs, photo, hom, rect, u, engine, settings
        )

    ink = marks.ink_masks(rect, u)
    plain = _no_red(rect)
    seals = marks.find_seals(ink.red, width, settings.seal_min_diameter, settings.seal_max_diameter)
    measures: dict[str, object] = {"u": round(u, 1)}

    signature = False
    block: Box | None = None
    if text.sign_zone is not None and text.sign_label is not None:
        lab = text.sign_label
        sig_ink = marks.zone_ink(ink, text.sign_zone, [*text.printed, *parse.long_print(lines)])
        measures["signature_ink"] = round(sig_ink, 3)
        signature = sig_ink >= settings.signature_min_ink or parse.signs_as(
            text.sign_text, [name for _url, name in pairs]
        )
        block = signature_block(lab, text.sign_zone, text.seal_label, u, unit=not individual)
    beside = tuple(
        block is not None and _distance(s.cx, s.cy, block) <= settings.seal_beside_radii * s.radius
        for s in seals
    )
    measures["seal_distance_radii"] = [
        round(_distance(s.cx, s.cy, block) / s.radius, 2) if block else None for s in seals
    ]

    date_blank: bool | None = None
    if text.date_zone is not None and text.date_label is not None:
        dl = text.date_label
        filled, date_ink, written = date_written(
            ink,
            plain,
            text.date_zone,
            dl,
            u,
            engine,
            settings.date_min_ink,
            settings.figure_min_prob,
        )
        measures["date_ink"] = round(date_ink, 3)
        measures["date_read"] = written
        date_blank = not (filled or bool(parse.NUMERALS.search(text.date_text)))

    extra: list[str] = []
    printed = [*text.printed, *parse.long_print(lines)]
    provider_ink = [marks.zone_ink(ink, z, printed) for z in text.provider_zones]
    provider_dated = False
    for z, label in text.provider_dates:
        dated, amount, _w = date_written(
            ink, plain, z, label, u, engine, settings.blank_min_ink, settings.figure_min_prob
        )
        provider_ink.append(amount)
        provider_dated |= dated
    measures["provider_ink"] = [round(v, 3) for v in provider_ink]
    sign_ink = provider_ink[: len(text.provider_zones)]
    if provider_filled(
        sign_ink, provider_dated, text.provider_signed, text.provider_text, settings
    ):
        extra.append("接入服务单位核验栏被填写")
    boxes = [b for b in marks.find_tick_boxes(ink) if not parse.inside_words(b.box, lines, u)]
    boxes = marks.in_line_with_others(boxes, u)
    ticked = [b for b in boxes if b.ink >= settings.tick_min_ink]
    measures["tick_boxes"] = len(boxes)
    measures["tick_ink_max"] = round(max((b.ink for b in boxes), default=0.0), 3)
    if ticked:
        extra.append(f"勾选了 {len(ticked)} 个核验方框")
    red_px = marks.red_marks(ink.red, seals, u)
    measures["red_outside_seals"] = round(red_px / (u * u), 3)
    if red_px >= settings.red_mark_min_ink * u * u:
        extra.append("印章以外的红色笔迹")

    facts = FormFacts(
        form_detected=True,
        individual=individual,
        matches_filing=matches,
        principal_ok=principal_ok,
        url_ok=url_ok,
        sign_zone_found=text.sign_zone is not None,
        signature_present=signature,
        seal_count=len(seals),
        seals_beside=beside,
        date_blank=date_blank,
        extra_marks=tuple(extra),
    )
    evidence: dict[str, object] = {
        "measures": measures,
        "printed": {
            "principal": text.principal.text if text.principal else None,
            "homepage_url": text.homepage_url.text if text.homepage_url else None,
        },
        "page_boxes": {
            "signature": [text.sign_zone] if text.sign_zone else [],
            "seals": [s.box for s in seals],
            "ticked": [b.box for b in ticked],
        },
    }
    return facts, evidence


def check_form(
    image: BGRImage, order: FilingOrder, engine: OcrEngine, settings: FormSettings
) -> FormCheck:
    started = time.perf_counter()
    rect, lines, u, hom, _found = read_page(image, engine, settings)
    individual = order.subject.nature == "individual"
    if not lines:
        facts = FormFacts(form_detected=False, individual=individual, matches_filing=None)
        evidence: dict[str, object] = {}
    else:
        facts, evidence = measure(
            rect, lines, u, site_pairs(order), individual, settings, engine, image, hom
        )
    page_boxes = evidence.pop("page_boxes", None)
    if isinstance(page_boxes, dict):
        evidence["boxes"] = {k: _to_photo(v, hom) for k, v in page_boxes.items()}
    findings = findings_of(facts)
    return FormCheck(
        facts, findings, decide(findings), (time.perf_counter() - started) * 1000.0, evidence
    )
