"""The recogniser's traditional-only characters and kana are never read on our
documents: their probability goes to the characters that can be printed there."""

from __future__ import annotations

import numpy as np

from kyc.ocr.engine import mainland_print, only_printed


def test_traditional_only_forms_are_out_shared_forms_stay_in() -> None:
    charset = ["", "廣", "广", "會", "会", "號", "乾", "后", "A", "7", "：", " "]
    printed = dict(zip(charset, mainland_print(charset), strict=True))
    assert not printed["廣"] and not printed["會"] and not printed["號"]
    # characters both scripts write (乾 in 乾隆, 后 in 皇后) and everything not Han stay
    assert all(printed[c] for c in ["", "广", "会", "乾", "后", "A", "7", "：", " "])


def test_kana_are_out_the_dot_and_dash_they_share_with_chinese_print_stay() -> None:
    charset = ["へ", "く", "ア", "ｱ", "・", "ー", "<", "·"]
    printed = dict(zip(charset, mainland_print(charset), strict=True))
    assert not any(printed[c] for c in "へくアｱ")
    assert all(printed[c] for c in "・ー<·")


def test_a_traditional_reading_becomes_the_simplified_one_printed() -> None:
    charset = ["", "廣", "广", "东"]
    weights = np.array(mainland_print(charset), dtype=np.float32)
    # two steps: 廣 first with 广 the runner-up; then the blank
    probs = np.array([[[0.05, 0.6, 0.3, 0.05], [0.9, 0.05, 0.03, 0.02]]], dtype=np.float32)
    out = only_printed(probs, weights)
    assert out[0, 0].argmax() == 2 and abs(float(out[0, 0, 2]) - 0.75) < 1e-6
    assert out[0, 0, 1] == 0.0
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, atol=1e-6)
    # a step without traditional mass keeps its numbers
    np.testing.assert_allclose(out[0, 1], [0.9 / 0.95, 0.0, 0.03 / 0.95, 0.02 / 0.95], atol=1e-6)
