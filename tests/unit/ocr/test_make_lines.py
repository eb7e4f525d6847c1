"""Lines from the recogniser's readings: a character's width forms are one character."""

from __future__ import annotations

import numpy as np

from kyc.ocr.documents.base import clear_of
from kyc.ocr.engine import CharReading, TextReading
from kyc.ocr.layout import Line
from kyc.ocr.pipeline import make_lines


def _reading(chars: list[tuple[str, float, tuple[tuple[str, float], ...]]]) -> TextReading:
    return TextReading("".join(c for c, _p, _a in chars), tuple(CharReading(*c) for c in chars))


def test_the_yen_signs_two_widths_are_one_sign_read_surely() -> None:
    quad = np.array([[619, 1031], [843, 1031], [843, 1104], [619, 1104]], dtype=np.float32)
    reading = _reading(
        [
            ("￥", 0.883, (("¥", 0.117),)),
            ("3", 0.9999, ()),
            ("0", 0.9999, ()),
            ("万", 0.9999, ()),
            ("元", 0.9999, ()),
        ]
    )
    (line,) = make_lines([quad], [reading], [0], 0.0)
    assert line.text == "¥30万元"
    assert line.probs[0] > 0.99
    # so a value boxed a little into its wide label's box keeps its sign: only a
    # doubtful first character there is the label's ink
    label = Line("开办资金", 307, 1046, 642, 1110, (1.0,) * 4)
    assert clear_of(label, line).text == "¥30万元"


def test_full_width_folding_keeps_where_each_character_was_read() -> None:
    """A reading holding a full-width character is rebuilt with it folded to ASCII; the
    places its characters were read at (``CharReading.at``, which the line-end checks
    use) are kept, not reset to 'not known'."""
    from kyc.ocr.mrz import fold_full_width

    at = [0.1, 0.3, 0.5, 0.7, 0.9]
    reading = TextReading(
        "ＡＢ１２；",
        tuple(CharReading(c, 0.99, (), a) for c, a in zip("ＡＢ１２；", at, strict=True)),
    )
    (folded,) = fold_full_width([reading])
    assert folded.text == "AB12；"
    assert [c.at for c in folded.chars] == at
