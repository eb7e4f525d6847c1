"""Which recognised lines are read again squeezed (letter-spaced codes) and which not."""

from __future__ import annotations

from kyc.ocr.engine import CharReading, TextReading
from kyc.ocr.pipeline import spaced_candidate


def _reading(text: str, prob: float) -> TextReading:
    return TextReading(text, tuple(CharReading(c, prob, ()) for c in text))


def test_a_doubtful_code_is_read_again_squeezed() -> None:
    assert spaced_candidate(_reading("91440300MA5F", 0.7))
    assert not spaced_candidate(_reading("91440300MA5F", 0.95))  # not doubtful


def test_a_name_of_letters_keeps_its_word_spaces() -> None:
    """Squeezed, KWOK,KA MAN read KWOK,KAMAN at a higher mean probability."""
    assert not spaced_candidate(_reading("KWOK,KA MAN", 0.88))
    assert not spaced_candidate(_reading("CHEUNG,KA MAN", 0.6))
