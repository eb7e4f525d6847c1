"""A Chinese passport's name in hanzi against the same name in pinyin."""

from __future__ import annotations

from kyc.ocr.pinyin import spells


def test_a_name_and_its_pinyin_agree_however_the_letters_are_spaced() -> None:
    assert spells("黄芳文", "HUANG FANGWEN") is True
    assert spells("黄芳文", "HUANG<<FANGWEN") is True
    assert spells("王刚敏", "wang gangmin") is True


def test_a_misread_character_on_either_side_disagrees() -> None:
    assert spells("黄苏文", "HUANG FANGWEN") is False  # 苏 read for 芳
    assert spells("黄芳文", "HUANG FANGEN") is False  # W lost from the Latin
    assert spells("黄芳", "HUANG FANGWEN") is False  # a character lost


def test_every_reading_of_a_character_counts() -> None:
    assert spells("单伟", "SHAN WEI") is True  # 单 as a surname
    assert spells("单伟", "DAN WEI") is True
    assert spells("吕强", "LYU QIANG") is True  # ü as passports print it
    assert spells("吕强", "LV QIANG") is True


def test_nothing_to_compare_is_no_verdict() -> None:
    assert spells("", "WANG") is None
    assert spells("王", "") is None
    assert spells("WANG", "WANG") is None  # no hanzi
