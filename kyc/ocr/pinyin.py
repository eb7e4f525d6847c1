"""Whether a name in hanzi and the same name in pinyin (a Chinese passport prints both)
can be one another: each character's readings (every reading pypinyin's dictionary gives
it, toneless; ü as the passport writes it, YU, or as V or U) spelled in order must make up
the Latin letters exactly. A disagreement means one side was misread (苏 read for 芳 at
0.994 beside HUANG FANGWEN); agreement is no proof, since the two may share a misread.
"""

from __future__ import annotations

import functools
import re

_HAN = re.compile(r"[\u4e00-\u9fff]")


@functools.cache
def readings(char: str) -> frozenset[str]:
    """A character's toneless readings in capitals, ü in each of its Latin spellings."""
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    out: set[str] = set()
    for reading in found[0] if found else ():
        up = reading.upper()
        out |= {up, up.replace("V", "YU"), up.replace("V", "U")} if "V" in up else {up}
    return frozenset(out)


def spells(han: str, latin: str) -> bool | None:
    """Whether the readings of the hanzi of ``han``, in order, spell the letters of
    ``latin`` (spaces, hyphens and fillers ignored); None when either has none, or a
    character has no reading known."""
    chars = _HAN.findall(han)
    letters = re.sub(r"[^A-Z]", "", latin.upper())
    if not chars or not letters:
        return None
    options = [readings(ch) for ch in chars]
    if not all(options):
        return None
    # positions in ``letters`` reachable after spelling the first k characters
    reach = {0}
    for opts in options:
        reach = {p + len(r) for p in reach for r in opts if letters.startswith(r, p)}
        if not reach:
            return False
    return len(letters) in reach
