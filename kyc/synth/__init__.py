"""Synthetic PRC ID cards and business licenses, photographed, with ground truth.

``generate(kind, level, rng)`` draws a fake, internally consistent identity, renders the
document and applies phone-photo conditions for the difficulty ``level``:

- ``clean``: a flat, scan-like image: document upright on a plain surface, no warp.
- ``moderate``: a phone photo: perspective up to 15 degrees, any quarter turn, a lighting
  gradient, mild blur and JPEG.
- ``hard``: as moderate plus one or two of: strong blur, glare, photocopy, screen
  recapture, a finger over a field, a cut-off edge, low resolution. Each marks its
  warning in the truth; fields it hides are listed in ``truth["hidden_fields"]``.

``split="tuned"`` (default) or ``"heldout"`` picks the pools the variant is drawn from
(fonts, layouts, backgrounds, cameras, watermark texts: kyc/synth/variants.py); tune on
``tuned`` only. Besides the four document kinds, ``"passport"`` (a passport data page,
its own document type) and ``"unknown"`` (social security cards, bank cards, driving
licences, receipts, invoices, plain photos: ``NOT_A_DOCUMENT``) can be drawn.

See docs/synth.md for the truth format and normal forms.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from random import Random
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from kyc.ocr.types import DocumentType

# The generator makes exactly the document types the reader returns.
Kind = DocumentType
Level = Literal["clean", "moderate", "hard"]
KINDS: tuple[Kind, ...] = ("id_card_front", "id_card_back", "id_card_both", "business_license")
# The other certificates the filing rules accept (R-SUBJ-1, R-SUBJ-3): each its own
# document type, drawn by kyc/synth/travel_docs.py and kyc/synth/unit_certs.py.
CERTIFICATE_KINDS: tuple[Kind, ...] = (
    "passport",
    "hk_macao_permit",
    "taiwan_permit",
    "institution_certificate",
    "social_group_certificate",
    "private_non_enterprise_certificate",
)
UNIT_CERTIFICATE_KINDS: tuple[Kind, ...] = CERTIFICATE_KINDS[3:]
OTHER_KINDS: tuple[Kind, ...] = (*CERTIFICATE_KINDS, "unknown")
ALL_KINDS: tuple[Kind, ...] = KINDS + OTHER_KINDS
CODE_FIELDS = ("id_number", "credit_code", "registration_number")
# Share of ID fronts, both-sides pages and licenses printed with a wrong check character.
BAD_CHECK_RATE = 0.05
# Share of documents with a watermark or a stamp over their text.
OVERPRINT_RATE = 0.2
LEVELS: tuple[Level, ...] = ("clean", "moderate", "hard")
HARD_CONDITIONS = (
    "blur",
    "glare",
    "photocopy",
    "recapture",
    "occlusion",
    "cut_off",
    "low_resolution",
)
WARNING_OF = {
    "blur": "BLUR",
    "glare": "GLARE",
    "photocopy": "PHOTOCOPY",
    "recapture": "RECAPTURE",
    "occlusion": "OCCLUSION",
    "cut_off": "BORDER_INCOMPLETE",
    "low_resolution": "LOW_RESOLUTION",
}


@dataclass(frozen=True, eq=False)
class Sample:
    image: npt.NDArray[np.uint8]  # BGR photo
    truth: dict[str, Any]
    document: npt.NDArray[np.uint8] = field(repr=False)  # the flat rendered document, BGR


def _bgra(img: Any) -> npt.NDArray[np.uint8]:
    arr = np.asarray(img.convert("RGBA"), np.uint8)
    return np.ascontiguousarray(arr[..., [2, 1, 0, 3]])


def generate(kind: Kind, level: Level, rng: Random, **overrides: Any) -> Sample:
    """One synthetic photo with its ground truth.

    Overrides (all optional): ``split`` ("tuned" | "heldout", default "tuned"),
    ``today`` (date the card validity is judged against, default today), ``expired`` /
    ``temporary`` (bool, ID cards), ``person`` / ``company`` (a drawn identity),
    ``orientation`` ("horizontal" | "vertical", licenses), ``entity`` / ``license_format``
    / ``copy`` / ``scheme`` (licenses: kyc/synth/license.py), ``greyscale`` (bool,
    both-sides page), ``portrait`` (Path), ``conditions`` (iterable of HARD_CONDITIONS
    names to apply instead of a random choice), ``rotation`` (0/90/180/270),
    ``province_code`` (e.g. "44"), ``bad_check`` (bool: print the ID number / credit code
    / registration number with one wrong character), ``overprint`` (bool: a watermark or
    stamp over the text), ``camera`` (a profile id of the split), ``background``,
    ``non_document`` (for kind "unknown": one of kyc.synth.nondoc.NON_DOCUMENTS),
    ``variant`` (a kyc.synth.variants.Variant).
    """
    from kyc.synth import degrade as dg
    from kyc.synth import overprint as op
    from kyc.synth import variants as vr
    from kyc.synth.certholders import (
        break_mrz_check,
        make_permit_holder,
        make_traveller,
        make_unit,
        mrz_checks,
    )
    from kyc.synth.identity import break_check, checksum_holds, make_company, make_person
    from kyc.synth.nondoc import NON_DOCUMENTS, render_non_document
    from kyc.synth.render import (
        render_id_back,
        render_id_both,
        render_id_front,
        render_license,
        stamp_copy_invalid,
    )
    from kyc.synth.travel_docs import render_passport, render_permit
    from kyc.synth.unit_certs import render_unit_certificate

    if kind not in ALL_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    split = vr.check_split(overrides.get("split", "tuned"))
    today: dt.date = overrides.get("today") or dt.date.today()
    warnings: set[str] = set()
    conditions: dict[str, Any] = {"level": level}
    document_kind = kind in KINDS or kind in CERTIFICATE_KINDS

    # --- choose the hard conditions first (photocopy changes the rendering) --------------
    chosen: list[str] = []
    if level == "hard" and document_kind:
        if "conditions" in overrides:
            chosen = list(overrides["conditions"])
        else:
            chosen = rng.sample(HARD_CONDITIONS, rng.choice((1, 1, 2)))
    elif "conditions" in overrides:
        chosen = list(overrides["conditions"])
    unknown = set(chosen) - set(HARD_CONDITIONS)
    if unknown:
        raise ValueError(f"unknown conditions {sorted(unknown)}")
    variant: vr.Variant = overrides.get("variant") or vr.draw_variant(rng, split, kind)
    variant_record = variant.record()

    # --- identity and rendering ---------------------------------------------------------
    extra: dict[str, Any] = {}
    check_fields: dict[str, str] = {}
    check_fields_extra: dict[str, bool] = {}
    broken: dict[str, int] = {}
    bad_check_kind = kind in ("id_card_front", "id_card_both", "business_license", "passport")
    bad_check_kind = bad_check_kind or kind in UNIT_CERTIFICATE_KINDS
    bad_check = bool(overrides.get("bad_check", bad_check_kind and rng.random() < BAD_CHECK_RATE))
    if bad_check and not bad_check_kind:
        raise ValueError(f"{kind} prints no number with a check character")
    if kind == "business_license":
        company = overrides.get("company") or make_company(
            rng,
            today,
            province_code=overrides.get("province_code"),
            entity=overrides.get("entity"),
            license_format=overrides.get("license_format"),
        )
        if bad_check:
            code_field = "credit_code" if company.credit_code is not None else "registration_number"
            value, pos = break_check(rng, code_field, getattr(company, code_field))
            company = replace(company, **{code_field: value})
            broken[code_field] = pos
        orientation = overrides.get("orientation") or rng.choice(
            ("horizontal", "horizontal", "vertical")
        )
        rendered = render_license(
            company, rng, orientation, variant, overrides.get("copy"), overrides.get("scheme")
        )
        extra["layout"] = orientation
        variant_record["license"] = {
            k: rendered.extra[k]
            for k in ("format", "entity", "copy", "scheme", "unnamed")
            if k in rendered.extra
        }
        seal_text = company.name or company.registration_authority
    elif kind == "unknown":
        what = overrides.get("non_document")
        if what is None:
            what = rng.choice(NON_DOCUMENTS)
        rendered = render_non_document(what, rng, today, variant)
        warnings.add("NOT_A_DOCUMENT")
        extra["non_document"] = what
        seal_text = ""
    elif kind in CERTIFICATE_KINDS:
        expired = bool(overrides.get("expired", rng.random() < 0.08))
        if kind == "passport":
            traveller = overrides.get("traveller") or make_traveller(
                rng, today, foreign=overrides.get("foreign"), expired=expired
            )
            line1, line2 = traveller.mrz()
            if bad_check:
                # broken before rendering: the page prints the line its truth holds
                line2, pos = break_mrz_check(rng, line2)
                broken["mrz"] = pos
            rendered = render_passport(
                traveller, rng, variant, overrides.get("passport_layout"), (line1, line2)
            )
            check_fields_extra = mrz_checks(line2)
            valid_until = traveller.expiry_date
            extra["passport"] = {k: rendered.extra[k] for k in ("passport_layout", "dates")}
        elif kind in ("hk_macao_permit", "taiwan_permit"):
            holder = overrides.get("holder") or make_permit_holder(rng, kind, today, expired)
            rendered = render_permit(holder, rng, variant)
            valid_until = holder.valid_until
        else:
            unit = overrides.get("unit") or make_unit(rng, kind, today, expired)
            if bad_check:
                code, pos = break_check(rng, "credit_code", unit.credit_code)
                unit = replace(unit, credit_code=code)
                broken["credit_code"] = pos
            orientation = overrides.get("orientation") or rng.choice(
                ("horizontal", "vertical", "vertical")
            )
            rendered = render_unit_certificate(
                unit, rng, orientation, variant, overrides.get("scheme"), overrides.get("copy")
            )
            extra["layout"] = orientation
            variant_record["certificate"] = dict(rendered.extra)
            valid_until = unit.valid_until
        if valid_until < today:
            warnings.add("EXPIRED")
        seal_text = (
            unit.name
            if kind in UNIT_CERTIFICATE_KINDS
            else rng.choice(("华信科技有限公司", "恒瑞商贸有限公司", "博创网络科技有限公司"))
        )
    else:
        shows_validity = kind != "id_card_front"
        expired = bool(overrides.get("expired", shows_validity and rng.random() < 0.08))
        temporary = bool(overrides.get("temporary", rng.random() < 0.05))
        person = overrides.get("person") or make_person(
            rng,
            today,
            expired=expired,
            temporary=temporary,
            province_code=overrides.get("province_code"),
        )
        if bad_check:
            value, pos = break_check(rng, "id_number", person.id_number)
            person = replace(person, id_number=value)
            broken["id_number"] = pos
        if person.temporary:
            warnings.add("TEMPORARY_ID")
        if shows_validity and person.expired(today):
            warnings.add("EXPIRED")
        front = (
            render_id_front(person, rng, overrides.get("portrait"), variant)
            if kind != "id_card_back"
            else None
        )
        back = render_id_back(person, rng, variant) if kind != "id_card_front" else None
        if front is None:
            assert back is not None
            rendered = back
        elif back is None:
            rendered = front
        else:
            grey = bool(overrides.get("greyscale", "photocopy" in chosen or rng.random() < 0.35))
            rendered = render_id_both(
                front, back, rng, grey=grey, stamp=grey and rng.random() < 0.8
            )
            if grey:
                warnings.add("PHOTOCOPY")
                conditions["greyscale_page"] = True
        if front is not None:
            extra["portrait_source"] = front.extra.get("portrait_source")
        seal_text = rng.choice(("华信科技有限公司", "恒瑞商贸有限公司", "博创网络科技有限公司"))
    for name in CODE_FIELDS:
        if name in rendered.fields:
            check_fields[name] = rendered.fields[name]
    check_results = {k: checksum_holds(k, v) for k, v in check_fields.items()}
    if kind == "passport":
        check_results.update(check_fields_extra)
    page = rendered.image
    boxes: dict[str, tuple[int, int, int, int]] = rendered.boxes

    # --- watermarks and stamps over the text ---------------------------------------------
    overprinted: dict[str, float] = {}
    overprints: list[dict[str, Any]] = []
    do_overprint = overrides.get("overprint")
    if do_overprint is None:
        do_overprint = kind != "unknown" and rng.random() < OVERPRINT_RATE
    if do_overprint:
        page = page.copy()
        r = rng.random()
        if r < 0.65:
            text = rng.choice(vr.WATERMARK_TEXTS[split])
            overprints.append(op.watermark(page, rng, text, variant.fonts["seal"], boxes))
        if r >= 0.5 or not overprints:
            stamp_target = rng.choice(sorted(boxes)) if boxes and rng.random() < 0.8 else None
            suffix = rng.choice(vr.SEAL_SUFFIXES[split])
            overprints.append(
                op.stamp(
                    page,
                    rng,
                    boxes,
                    seal_text=(seal_text or "复印无效") + suffix,
                    stamp_text=rng.choice(vr.STAMP_TEXTS[split]),
                    family=variant.fonts["seal"],
                    target=stamp_target,
                )
            )
        for rec in overprints:
            for name, share in rec["covered"].items():
                overprinted[name] = round(max(overprinted.get(name, 0.0), share), 3)
        conditions["overprints"] = overprints
    if "photocopy" in chosen and kind != "id_card_both" and rng.random() < 0.7:
        page = page.copy()
        conditions["stamp"] = stamp_copy_invalid(page, boxes, rng)
    doc = _bgra(page)
    dh, dw = doc.shape[:2]

    if "photocopy" in chosen:
        doc = dg.photocopy(doc, rng)
        warnings.add("PHOTOCOPY")
        conditions["photocopy"] = True

    # --- camera and placement ------------------------------------------------------------
    copied = "photocopy" in chosen
    cams = [c for c in vr.CAMERAS[split] if level == "clean" or not c.startswith("scan")]
    cam_id = overrides.get("camera")
    if cam_id is None:
        scans = [c for c in cams if c.startswith("scan")]
        phones = [c for c in cams if not c.startswith("scan")]
        cam_id = rng.choice(scans) if scans and rng.random() < 0.3 else rng.choice(phones)
    cam = vr.CAMERA_PROFILES[cam_id]
    cam_record: dict[str, Any] = {"id": cam.id}
    landscape = dw >= dh
    if cam.scanner:
        dpi = rng.randint(*cam.dpi)
        # the document's physical width: a card 85.6 mm, a page or a license an A4 sheet
        mm = 85.6 if kind.startswith("id_card") and kind != "id_card_both" else 210.0
        if kind == "business_license" and landscape:
            mm = 297.0
        if kind in ("unknown", "passport"):
            mm = 125.0
        if kind in ("hk_macao_permit", "taiwan_permit"):
            mm = 85.6
        if kind in UNIT_CERTIFICATE_KINDS:
            mm = 297.0 if landscape else 210.0
        bed = (round(210 / 25.4 * dpi), round(297 / 25.4 * dpi))
        if landscape and mm > 200:
            bed = (bed[1], bed[0])
        canvas = bed
        cam_record["dpi"] = dpi
    else:
        long_side = rng.randint(*cam.long_side)
        short_side = round(long_side / cam.aspect)
        upright = cam.portrait
        if kind in UNIT_CERTIFICATE_KINDS:  # the phone held the way the page stands
            upright = dh > dw
        canvas = (short_side, long_side) if upright else (long_side, short_side)
    cam_record["size"] = list(canvas)
    bg_kind_req = overrides.get("background")
    if cam.scanner:
        bg = dg.scan_background(canvas, rng, warm=cam.id == "scan_sheetfed")
        bg_kind = "scanner_lid"
    elif copied:  # a photocopy is a sheet of paper: the copied card lies flat on it
        bg, bg_kind = dg.background(canvas, rng, "paper")
    else:
        bg, bg_kind = dg.background(canvas, rng, bg_kind_req or rng.choice(vr.BACKGROUNDS[split]))
    conditions["background"] = bg_kind

    if extra.get("non_document") == "plain_photo":  # no document: the picture is the photo
        return _plain_photo_sample(
            rendered, canvas, rng, today, conditions, warnings, variant_record, cam_record, extra
        )

    if cam.scanner:
        width_frac = min(0.98, mm / 25.4 * dpi / canvas[0])  # the document's size at dpi
        tilt_x = tilt_y = 0.0
        angle = rng.uniform(-1.2, 1.2)
        docw = canvas[0] * width_frac
        doch = docw * dh / dw
        margin = rng.uniform(0.01, 0.04) * canvas[0]
        center = (
            (margin + docw / 2, margin + doch / 2)
            if rng.random() < 0.6
            else (canvas[0] / 2, margin + doch / 2)
        )
    elif level == "clean":
        width_frac = rng.uniform(0.8, 0.9)
        tilt_x = tilt_y = 0.0
        angle = rng.uniform(-0.8, 0.8)
    else:
        width_frac = rng.uniform(0.62, 0.85) if kind != "id_card_both" else rng.uniform(0.78, 0.9)
        lim = 15.0 if level == "moderate" else 20.0
        tilt_x, tilt_y = rng.uniform(-lim, lim), rng.uniform(-lim, lim)
        if math.hypot(tilt_x, tilt_y) > lim:
            shrink = lim / math.hypot(tilt_x, tilt_y)
            tilt_x, tilt_y = tilt_x * shrink, tilt_y * shrink
        angle = rng.uniform(-8, 8)
    if not cam.scanner:
        if cam.portrait and landscape:
            width_frac = min(0.95, width_frac * 1.08)
        center = (
            canvas[0] / 2 + rng.uniform(-0.04, 0.04) * canvas[0],
            canvas[1] / 2 + rng.uniform(-0.04, 0.04) * canvas[1],
        )
    if "cut_off" in chosen:
        width_frac = rng.uniform(0.75, 0.9)
        # push the document past one frame edge by 10-25 % of its size
        side = rng.randrange(4)
        push = rng.uniform(0.1, 0.25)
        docw = canvas[0] * width_frac
        doch = docw * dh / dw
        cx, cy = canvas[0] / 2, canvas[1] / 2
        center = [
            ((0.5 - push) * docw, cy),
            (canvas[0] - (0.5 - push) * docw, cy),
            (cx, (0.5 - push) * doch),
            (cx, canvas[1] - (0.5 - push) * doch),
        ][side]
        conditions["cut_off"] = {
            "side": ["left", "right", "top", "bottom"][side],
            "push": round(push, 3),
        }
        warnings.add("BORDER_INCOMPLETE")
    for _ in range(30):
        hom = dg.perspective_homography(
            (dw, dh),
            canvas,
            width_frac=width_frac,
            tilt_x=tilt_x,
            tilt_y=tilt_y,
            angle=angle,
            center=center,
        )
        if "cut_off" in chosen:
            break
        q = dg.Photo(bg, hom, (dw, dh)).quad
        margin = 0.02 * min(canvas)
        if (q >= margin).all() and (q <= [canvas[0] - margin, canvas[1] - margin]).all():
            break
        width_frac *= 0.93  # keep the whole document in frame
        if cam.scanner:
            docw = canvas[0] * width_frac
            doch = docw * dh / dw
            center = (canvas[0] / 2, canvas[1] / 2)
    photo = dg.place(doc, bg, hom, rng, shadow=level != "clean" and not copied and not cam.scanner)
    conditions.update(
        {
            "tilt_x": round(tilt_x, 2),
            "tilt_y": round(tilt_y, 2),
            "angle": round(angle, 2),
            "width_frac": round(width_frac, 3),
        }
    )

    # --- lighting ------------------------------------------------------------------------
    if level == "clean" or cam.scanner:
        photo = dg.lighting(photo, rng, rng.uniform(0.0, 0.08 if not cam.scanner else 0.03))
    else:
        photo = dg.lighting(photo, rng, rng.uniform(0.1, 0.35))
        if rng.random() < 0.3:
            photo = dg.shadow(photo, rng, rng.uniform(0.2, 0.4))
            conditions["shadow"] = True

    hidden: dict[str, str] = {}

    def target_field() -> str:
        return rng.choice(sorted(boxes))

    if "glare" in chosen:
        fld = target_field()
        q = photo.box_quad(boxes[fld])
        c = q.mean(axis=0)
        box_w = float(np.linalg.norm(q[1] - q[0]))
        radius = max(30.0, min(box_w * 0.35, 140.0 * max(canvas) / 2000))
        shape = rng.choice(vr.GLARE_SHAPES[split])
        photo, washed = dg.glare(photo, rng, (float(c[0]), float(c[1])), radius, shape=shape)
        hidden[fld] = "glare"
        washed_share = {k: dg.mask_coverage(photo.box_quad(b), washed) for k, b in boxes.items()}
        for name, share in washed_share.items():
            if share > 0.05:
                hidden[name] = "glare"
        conditions["glare"] = {
            "field": fld,
            "shape": shape,
            "radius": round(radius, 1),
            "washed": {k: round(v, 3) for k, v in washed_share.items() if v > 0},
        }
        warnings.add("GLARE")
    if "occlusion" in chosen:
        fld = target_field()
        q = photo.box_quad(boxes[fld])
        along = rng.uniform(0.2, 0.8)
        tip = ((q[0] + q[3]) * (1 - along) + (q[1] + q[2]) * along) / 2
        dq = photo.quad
        doc_w = float(np.linalg.norm(dq[1] - dq[0]))
        # a thumb is ~16 mm wide: a card is 85.6 mm wide, an A4 page 210, a license 297
        mm_w = {"id_card_both": 210.0, "business_license": 297.0 if dw > dh else 210.0,
                "passport": 125.0}  # fmt: skip
        for unit_kind in UNIT_CERTIFICATE_KINDS:
            mm_w[unit_kind] = 297.0 if dw > dh else 210.0
        width = doc_w * 16.0 / mm_w.get(kind, 85.6) * rng.uniform(0.9, 1.2)
        # it reaches in over the nearest document edge
        best = None
        for a, b in zip(dq, np.roll(dq, -1, axis=0), strict=True):
            ab = b - a
            u = float(np.clip(np.dot(tip - a, ab) / max(1e-6, float(np.dot(ab, ab))), 0, 1))
            p = a + u * ab
            d = float(np.linalg.norm(p - tip))
            if best is None or d < best[0]:
                best = (d, p)
        assert best is not None
        dist, edge_pt = best
        direction = (edge_pt - tip) / max(1e-6, dist)
        reach = dist + width * rng.uniform(1.5, 3.0)
        base = tip + direction * reach
        tone = rng.choice(vr.SKIN_TONES[split])
        photo, mask = dg.occlusion(
            photo,
            rng,
            (float(tip[0]), float(tip[1])),
            (float(base[0]), float(base[1])),
            width,
            tone,
        )
        covered = {k: dg.mask_coverage(photo.box_quad(b), mask) for k, b in boxes.items()}
        for name, cov in covered.items():
            if cov > 0.02:
                hidden[name] = "occlusion"
        conditions["occlusion"] = {
            "field": fld,
            "skin": list(tone),
            "covered": {k: round(v, 3) for k, v in covered.items() if v > 0},
        }
        warnings.add("OCCLUSION")
    if "recapture" in chosen:
        screen = rng.choice(vr.SCREENS[split])
        photo = dg.recapture(photo, rng, rng.uniform(0.7, 1.0), screen)
        conditions["recapture"] = {"screen": screen}
        warnings.add("RECAPTURE")

    # --- quarter turn --------------------------------------------------------------------
    rot = overrides.get("rotation")
    if rot is None:
        rot = 0 if level == "clean" or cam.scanner else rng.choice((0, 0, 90, 180, 270))
    photo = dg.rotate90(photo, int(rot) // 90)
    conditions["rotation"] = int(rot) % 360

    # --- optics, the camera's processing and compression --------------------------------
    if "blur" in chosen:
        if rng.random() < 0.5:
            sigma = rng.uniform(2.0, 3.0) * max(1.0, max(canvas) / 2000)
            photo = dg.gaussian_blur(photo, sigma)
            conditions["blur"] = {"kind": "gaussian", "sigma": round(sigma, 2)}
        else:
            length = round(rng.randint(9, 15) * max(1.0, max(canvas) / 2000))
            photo = dg.motion_blur(photo, length, rng.uniform(0, 180))
            conditions["blur"] = {"kind": "motion", "length": length}
        warnings.add("BLUR")
    elif level == "moderate":
        sigma = rng.uniform(0.0, 1.0)
        photo = dg.gaussian_blur(photo, sigma)
        conditions["blur"] = {"kind": "gaussian", "sigma": round(sigma, 2)}
    if level != "clean":
        photo = dg.sensor_noise(photo, rng, rng.uniform(1.5, 5.0))
    mild = 0.5 if level == "clean" else 1.0
    dn = rng.uniform(*cam.denoise) * mild
    photo = dg.denoise(photo, dn)
    sh_amount = rng.uniform(*cam.sharpen) * mild
    sh_radius = rng.uniform(*cam.sharpen_radius)
    photo = dg.sharpen(photo, sh_amount, sh_radius)
    chroma = rng.uniform(*cam.chroma) * mild
    photo = dg.chroma_noise(photo, rng, chroma)
    cam_record.update(
        {"denoise": round(dn, 2), "sharpen": [round(sh_amount, 2), round(sh_radius, 2)],
         "chroma_noise": round(chroma, 2)}
    )  # fmt: skip
    if "low_resolution" in chosen:
        # clearly below the limit: 55-90% of it
        target = LOW_RESOLUTION_PX_PER_MM[_resolution_class(kind)] * rng.uniform(0.55, 0.9)
        factor = min(1.0, target / max(1e-6, _px_per_mm(kind, photo, rendered)))
        photo = dg.rescale(photo, factor)
        conditions["low_resolution"] = {"factor": round(factor, 3)}
        warnings.add("LOW_RESOLUTION")
    quality = {
        "clean": rng.randint(88, 96),
        "moderate": rng.randint(60, 88),
        "hard": rng.randint(35, 65),
    }[level]
    photo = dg.jpeg(photo, quality)
    conditions["jpeg_quality"] = quality
    if "low_resolution" not in chosen and level != "clean" and rng.random() < cam.messaging:
        photo = dg.messaging(photo, rng)
        cam_record["messaging"] = True

    # --- visibility of fields (cut-off) -------------------------------------------------
    size = (photo.image.shape[1], photo.image.shape[0])
    if "cut_off" in chosen:
        inside = {k: dg.fraction_inside(photo.box_quad(b), size) for k, b in boxes.items()}
        for name, frac in inside.items():
            if frac < 0.999:
                hidden.setdefault(name, "cut_off")
        conditions["cut_off"]["fields"] = sorted(n for n, fr in inside.items() if fr < 0.999)

    if kind == "id_card_both":  # each card's corners, in photo coordinates
        page_quads: dict[str, list[list[int]]] = rendered.extra["card_quads"]  # type: ignore[assignment]
        extra["card_quads"] = {
            side: [
                [round(float(x), 1), round(float(y), 1)]
                for x, y in photo.map_points([(float(px), float(py)) for px, py in q])
            ]
            for side, q in page_quads.items()
        }
    quad = photo.quad
    doc_w_px = float(np.linalg.norm(quad[1] - quad[0]))
    conditions["document_width_px"] = round(doc_w_px, 1)
    # Low resolution is what the photo shows, whatever made it (a small document in a
    # small frame, a messaging app's downscale), not only the condition of that name.
    if kind != "unknown":
        density = _px_per_mm(kind, photo, rendered)
        conditions["px_per_mm"] = round(density, 2)
        if density < LOW_RESOLUTION_PX_PER_MM[_resolution_class(kind)]:
            warnings.add("LOW_RESOLUTION")
    conditions["camera"] = cam_record
    variant_record["camera"] = cam.id
    variant_record["background"] = bg_kind
    truth: dict[str, Any] = {
        "document_type": rendered.document_type,
        "fields": dict(rendered.fields),
        "warnings": sorted(warnings),
        "quad": [[round(float(x), 1), round(float(y), 1)] for x, y in quad],
        "hidden_fields": dict(sorted(hidden.items())),
        "field_boxes": {k: list(b) for k, b in boxes.items()},
        "field_quads": {
            k: [[round(float(x), 1), round(float(y), 1)] for x, y in photo.box_quad(b)]
            for k, b in boxes.items()
        },
        "document_size": [dw, dh],
        "reference_date": today.isoformat(),
        "conditions": conditions,
        "variant": variant_record,
        "check_valid": check_results,
        "overprinted": dict(sorted(overprinted.items())),
        **extra,
    }
    if broken:
        truth["bad_check"] = broken
    return Sample(photo.image, truth, np.ascontiguousarray(doc[..., :3]))


def _plain_photo_sample(
    rendered: Any,
    canvas: tuple[int, int],
    rng: Random,
    today: dt.date,
    conditions: dict[str, Any],
    warnings: set[str],
    variant_record: dict[str, Any],
    cam_record: dict[str, Any],
    extra: dict[str, Any],
) -> Sample:
    """A photo with no document in it (a face, or things on a table)."""
    from kyc.synth import degrade as dg

    img = rendered.image.convert("RGB").resize(canvas)
    arr = np.ascontiguousarray(np.asarray(img, np.uint8)[..., ::-1])
    photo = dg.Photo(arr, np.eye(3), canvas)
    photo = dg.lighting(photo, rng, rng.uniform(0.0, 0.3))
    photo = dg.jpeg(photo, rng.randint(60, 95))
    conditions["camera"] = cam_record
    variant_record["camera"] = cam_record["id"]
    variant_record["background"] = conditions.get("background")
    truth: dict[str, Any] = {
        "document_type": "unknown",
        "fields": {},
        "warnings": sorted(warnings),
        "quad": [],
        "hidden_fields": {},
        "field_boxes": {},
        "field_quads": {},
        "document_size": list(canvas),
        "reference_date": today.isoformat(),
        "conditions": conditions,
        "variant": variant_record,
        "check_valid": {},
        "overprinted": {},
        **extra,
    }
    return Sample(photo.image, truth, arr)


# Below these pixels per printed millimetre a document is too small to read reliably or
# to file (a card 342 px wide, text ~11 px high; an A4 license 800 px long): the truth's
# LOW_RESOLUTION, whatever made the photo so.
LOW_RESOLUTION_PX_PER_MM = {"card": 4.0, "license": 2.7}


def _resolution_class(kind: str) -> str:
    """Cards and passports are held to the card's density, pages to the license's."""
    return "license" if kind == "business_license" or kind in UNIT_CERTIFICATE_KINDS else "card"


def _printed_mm(kind: str) -> float:
    """The printed width the density is measured along: an ID-1 card's width, a
    passport data page's, a page's longer side."""
    if kind == "passport":
        return 125.0
    return 297.0 if _resolution_class(kind) == "license" else 85.6


def _px_per_mm(kind: str, photo: Any, rendered: Any) -> float:
    """The document's pixels per printed millimetre in the photo: a card's width (each
    card of a both-sides page), a page's longer side."""
    if kind == "id_card_both":
        quads = rendered.extra["card_quads"]
        widths = [
            float(np.linalg.norm(np.subtract(*photo.map_points([tuple(q[1]), tuple(q[0])]))))
            for q in quads.values()
        ]
        return min(widths) / _printed_mm(kind)
    q = photo.quad
    w = float(np.linalg.norm(q[1] - q[0]))
    h = float(np.linalg.norm(q[3] - q[0]))
    return (max(w, h) if _resolution_class(kind) == "license" else w) / _printed_mm(kind)


def expected_fields(truth: dict[str, Any]) -> dict[str, str]:
    """The fields a correct pipeline should read from this photo: all but the hidden ones
    (under a finger, a glare spot or outside the frame)."""
    hidden = truth.get("hidden_fields", {})
    return {k: v for k, v in truth["fields"].items() if k not in hidden}


__all__ = [
    "ALL_KINDS",
    "HARD_CONDITIONS",
    "KINDS",
    "LEVELS",
    "OTHER_KINDS",
    "Kind",
    "Level",
    "Sample",
    "expected_fields",
    "generate",
]
