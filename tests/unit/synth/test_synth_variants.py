from __future__ import annotations

import datetime as dt
from random import Random
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from stdnum.cn import ric

from kyc.synth import fonts, generate, nondoc, render
from kyc.synth import identity as ident
from kyc.synth import license as lic
from kyc.synth import variants as vr
from kyc.synth.identity import LICENSE_FORMATS, check_valid, make_company
from kyc.synth.license import render_license
from kyc.synth.render import LICENSE_H_SIZE, LICENSE_V_SIZE

TODAY = dt.date(2026, 6, 15)


def _strings(mod: ModuleType) -> set[str]:
    out: set[str] = set()

    def add(v: Any) -> None:
        if isinstance(v, str):
            out.add(v)
        elif isinstance(v, tuple | list | frozenset | set):
            for x in v:
                add(x)
        elif isinstance(v, dict):
            for k, x in v.items():
                add(k)
                add(x)

    for name in dir(mod):
        if name.isupper():
            add(getattr(mod, name))
    return out


def _charset() -> set[str]:
    """Every character the generator can print: region names (from stdnum's table), the
    identity pools, labels and texts of every renderer, digits and code alphabets."""
    chars: set[str] = set()
    for r in ident.regions():
        chars |= set(r.prefix + r.city + r.district + "公安局分局市场监督管理局")
    for mod in (ident, render, lic, nondoc, vr):
        for s in _strings(mod):
            chars |= set(s)
    chars |= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<.-/:：年月日至长期（）、；。*")
    chars |= set("姓名性别民族出生住址公民身份号码临时居民身份证中华人民共和国签发机关有效期限")
    chars |= set("统一社会信用代码注册号营业执照副本正本编号登记机关名称类型实收资本公司")
    return {c for c in chars if not c.isspace() and c.isprintable()}


def test_every_font_covers_or_falls_back_for_every_printable_character() -> None:
    chars = sorted(_charset())
    assert len(chars) > 1400
    for key in fonts.FAMILIES:
        f = fonts.face(key, 20)
        for ch in chars:
            f.font_for(ch)  # raises if neither the family nor its fallback has it
    # the fallback is really used: cwTeX FangSong lacks hundreds of simplified characters
    missing = [c for c in chars if not fonts.covers("cwfs", c)]
    assert len(missing) > 100
    assert fonts.covers("noto_serif", missing[0])


def test_fallbacks_stay_inside_their_split() -> None:
    for split, fams in vr.CJK_FAMILIES.items():
        for key in (*fams, *vr.NUMBER_FAMILIES[split]):
            fb = fonts.FAMILIES[key].fallback
            assert fb in vr.CJK_FAMILIES[split], (split, key, fb)


def test_split_pools_are_disjoint() -> None:
    pools: list[dict[Any, Any]] = [
        vr.CJK_FAMILIES, vr.NUMBER_FAMILIES, vr.LAYOUTS, vr.BACKGROUNDS, vr.CAMERAS,
        vr.WATERMARK_TEXTS, vr.STAMP_TEXTS, vr.GLARE_SHAPES, vr.SKIN_TONES, vr.SCREENS,
        vr.CARD_LABEL_COLOURS, vr.LICENSE_LABEL_COLOURS,
    ]  # fmt: skip
    for pool in pools:
        assert set(pool) == set(vr.SPLITS)
        assert not set(pool["tuned"]) & set(pool["heldout"]), pool
    # line-spacing ranges do not overlap
    for lo, hi in vr.LINE_SPACING["heldout"]:
        for tlo, thi in vr.LINE_SPACING["tuned"]:
            assert hi <= tlo or lo >= thi


def test_a_missing_font_names_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    fam = fonts.FAMILIES["kaitim"]
    monkeypatch.setitem(
        fonts.FAMILIES, "kaitim", fonts.Family(**{**fam.__dict__, "path": "/nonexistent.ttf"})
    )
    fonts.font_file.cache_clear()
    try:
        with pytest.raises(fonts.MissingFontError, match="fonts-arphic-gkai00mp"):
            fonts.font_file("kaitim")
    finally:
        monkeypatch.undo()
        fonts.font_file.cache_clear()
    assert fonts.check_installed() == []


@pytest.mark.parametrize("split", vr.SPLITS)
def test_variants_draw_from_their_split_only(split: vr.Split) -> None:
    rng = Random(split)
    other: vr.Split = "heldout" if split == "tuned" else "tuned"
    for kind in ("id_card_front", "business_license"):
        for _ in range(30):
            v = vr.draw_variant(rng, split, kind)
            allowed = set(vr.CJK_FAMILIES[split]) | set(vr.NUMBER_FAMILIES[split])
            assert set(v.fonts.values()) <= allowed
            assert not set(v.fonts.values()) & set(vr.CJK_FAMILIES[other])
            if kind == "business_license":
                assert (v.label_style, v.arrangement, v.alignment) in vr.LAYOUTS[split]


@pytest.mark.parametrize("fmt", LICENSE_FORMATS)
@pytest.mark.parametrize("entity", ident.ENTITIES)
def test_every_license_format_prints_every_field_inside_the_page(entity: str, fmt: str) -> None:
    rng = Random(f"{entity}{fmt}")
    c = make_company(rng, TODAY, entity=entity, license_format=fmt)
    for i, orientation in enumerate(("horizontal", "vertical")):
        split: vr.Split = vr.SPLITS[i]
        v = vr.draw_variant(rng, split, "business_license")
        r = render_license(c, rng, orientation, v)
        size = LICENSE_H_SIZE if orientation == "horizontal" else LICENSE_V_SIZE
        assert set(r.boxes) == set(r.fields) == set(c.fields())
        for b in r.boxes.values():
            assert 0 <= b[0] < b[2] <= size[0] and 0 <= b[1] < b[3] <= size[1]
        assert ("credit_code" in r.fields) == (fmt == "current")
        assert ("registration_number" in r.fields) == (fmt == "pre2016")


def test_a_license_code_stands_clear_of_the_title() -> None:
    # A wide number font once ran the code's last character under the title's first.
    rng = Random(7)
    for i in range(60):
        c = make_company(rng, TODAY, license_format="current")
        v = vr.draw_variant(rng, vr.SPLITS[i % 2], "business_license")
        r = render_license(c, rng, "horizontal", v)
        title = r.extra["title_box"]
        assert isinstance(title, tuple)
        code = r.boxes["credit_code"]
        assert code[2] <= title[0] - 20 or code[1] >= title[3] or code[3] <= title[1]


def test_generate_records_the_variant_and_is_deterministic_per_split() -> None:
    a = generate("business_license", "moderate", Random(5), today=TODAY, split="heldout")
    b = generate("business_license", "moderate", Random(5), today=TODAY, split="heldout")
    t = generate("business_license", "moderate", Random(5), today=TODAY, split="tuned")
    assert a.truth == b.truth and np.array_equal(a.image, b.image)
    v = a.truth["variant"]
    assert v["split"] == "heldout" and t.truth["variant"]["split"] == "tuned"
    assert set(v["fonts"]) == set(vr.ROLES)
    assert v["camera"] in vr.CAMERAS["heldout"] and v["background"] in vr.BACKGROUNDS["heldout"]
    assert {"layout", "license"} <= set(v)
    with pytest.raises(ValueError, match="split"):
        generate("id_card_back", "clean", Random(1), today=TODAY, split="dev")


@pytest.mark.parametrize("kind", ["id_card_front", "id_card_both", "business_license"])
def test_bad_check_prints_a_number_that_fails_its_check(kind: str) -> None:
    s = generate(kind, "clean", Random(kind), today=TODAY, bad_check=True)  # type: ignore[arg-type]
    ((field, ok),) = s.truth["check_valid"].items()
    assert ok is False and not check_valid(field, s.truth["fields"][field])
    assert field in s.truth["bad_check"]
    good = generate(kind, "clean", Random(kind), today=TODAY, bad_check=False)  # type: ignore[arg-type]
    assert all(good.truth["check_valid"].values())
    if kind != "business_license":  # the other fields stay those of the person
        f, g = s.truth["fields"], good.truth["fields"]
        assert {k: v for k, v in f.items() if k != "id_number"} == {
            k: v for k, v in g.items() if k != "id_number"
        }
        assert ric.calc_check_digit(g["id_number"][:17] + "0") == g["id_number"][17]


def test_overprint_reports_the_fields_it_covers() -> None:
    s = generate("business_license", "clean", Random(2), today=TODAY, overprint=True)
    over = s.truth["overprinted"]
    assert over and set(over) <= set(s.truth["fields"])
    assert all(0 < share <= 1 for share in over.values())
    recs = s.truth["conditions"]["overprints"]
    texts = set(vr.WATERMARK_TEXTS["tuned"]) | set(vr.STAMP_TEXTS["tuned"])
    assert any(r["text"] in texts or r["kind"] == "seal" for r in recs)
    clean = generate("business_license", "clean", Random(2), today=TODAY, overprint=False)
    assert clean.truth["overprinted"] == {}


@pytest.mark.parametrize("what", nondoc.NON_DOCUMENTS)
def test_non_documents_are_unknown_with_not_a_document(what: str) -> None:
    s = generate("unknown", "moderate", Random(what), today=TODAY, non_document=what)
    assert s.truth["document_type"] == "unknown"
    assert s.truth["warnings"] == ["NOT_A_DOCUMENT"]
    assert s.truth["fields"] == {} and s.truth["non_document"] == what
    assert s.image.ndim == 3 and min(s.image.shape[:2]) >= 300


def test_passport_page_has_design_fields_and_valid_mrz_checks() -> None:
    s = generate("passport", "clean", Random(1), today=TODAY, bad_check=False)
    f = s.truth["fields"]
    assert s.truth["document_type"] == "passport" and "NOT_A_DOCUMENT" not in s.truth["warnings"]
    line1, line2 = f["mrz"].split("\n")
    assert len(line1) == len(line2) == 44
    assert line2[:9] == f["passport_number"]
    assert nondoc.mrz_check(line2[:9]) == line2[9]
    assert nondoc.mrz_check(line2[13:19]) == line2[19]
    assert nondoc.mrz_check(line2[21:27]) == line2[27]
    assert nondoc.mrz_check(line2[0:10] + line2[13:20] + line2[21:43]) == line2[43]
    assert nondoc.mrz_check("L898902C3") == "6"  # ICAO 9303 specimen


def test_cameras_give_frames_of_their_size() -> None:
    for cam_id in ("phone_4x3", "phone_portrait", "phone_16x9_small"):
        split: vr.Split = "tuned" if cam_id in vr.CAMERAS["tuned"] else "heldout"
        s = generate("id_card_back", "clean", Random(cam_id), today=TODAY, split=split,
                     camera=cam_id)  # fmt: skip
        cam = vr.CAMERA_PROFILES[cam_id]
        h, w = s.image.shape[:2]
        assert (h > w) == cam.portrait
        assert cam.long_side[0] <= max(h, w) <= cam.long_side[1]
        assert s.truth["conditions"]["camera"]["id"] == cam_id
