"""Thresholds of the form and backdrop checks (docs/forms.md: how each was set, on the
tuned split of the generator, and its margin)."""

from __future__ import annotations

from pydantic import BaseModel

# (module level: the pure parser's default is the setting's)
FIGURE_MIN_PROB = 0.8


class FormSettings(BaseModel):
    # --- the page ---------------------------------------------------------------------
    page_width: int = 1000  # the page is rectified to this width (A4: 4.8 px/mm)
    det_max_side: int = 1024  # text detection on the page downscaled to this
    skip_wide_lines: float = 0.5  # lines wider than this share of the page are not read
    # printed lines of a form are 24-33 px tall on a 1000 px page (measured: median 25-32
    # on the tuned forms); a median above this means the outline found was not the page
    max_line_height: float = 45.0
    # --- seals (diameters as a share of the page width; a 38-42 mm seal is 0.18-0.20) --
    seal_min_diameter: float = 0.11
    seal_max_diameter: float = 0.34
    # a seal is beside the signature when its centre lies within this many of its own
    # radii of the signature block (label and blank)
    seal_beside_radii: float = 0.2
    # --- handwriting (ink in units of u^2, u = median printed line height) -------------
    # signature: midway between empty blanks (0.0 u^2 on 178 tuned forms once ruled lines
    # cut by a seal or printed faint count as lines; up to 0.43 before) and the least
    # inked signatures that were not read as the principal's name (0.31-0.37); the
    # provider's signature blank alike (empty 0.0 on 360 tuned forms, filled 0.54 up)
    signature_min_ink: float = 0.15
    date_min_ink: float = 0.25
    blank_min_ink: float = 0.35  # the provider's date blank (its signature blank: as above)
    # figures read in a date blank count as written when their mean probability reaches
    # this (below, the blank's ink decides). Tuned seeds 1-4: a written date's figures
    # read at 0.91-1.0 (13 blanks); figures read in empty blanks at 0.67 at most (9
    # blanks), and a smudge read "580" (seed 12) at a mean of 0.52
    figure_min_prob: float = FIGURE_MIN_PROB
    tick_min_ink: float = 0.12  # share of a tick box's inside
    red_mark_min_ink: float = 0.5  # red ink outside the seals
    # a printed value one character off the filing's is a misreading (review) below this
    name_sure: float = 0.9


class BackdropSettings(BaseModel):
    max_bytes: int = 2 * 1024 * 1024  # R-DOC-1 / stage 3: jpg, at most 2 MB
    detect_side: int = 800  # faces are searched on a copy this long (px)
    second_face_min_rel: float = 0.35  # a second face at least this wide (rel. to the first)
    # SCRFD's score for a face it counts (kyc.liveness.scrfd): on tuned photos the best
    # second detection of one-person photos reaches 0.22 (blurred; 0.12 sharp), second
    # people score 0.53 and up but for two of 30 (0.10, 0.28; docs/forms.md): the
    # boundary sits at the geometric middle of 0.22 and 0.53, 1.6x from the one and
    # 1.5x from the other
    count_min_score: float = 0.35
    # backdrop behind the head and shoulders: share of that region of the backdrop's
    # colour, without a reference (one plain colour) and with the reference's colours
    min_coverage: float = 0.72
    min_coverage_reference: float = 0.4
    plain_tolerance: float = 12.0  # Lab chroma distance to the dominant colour (no reference)
    reference_tolerance: float = 10.0  # Lab chroma distance to the reference's colours
    # and the cloth's median colour within a white balance of the reference's
    # (colour_cast, a log-chromaticity distance; docs/forms.md): up to 0.10 surely the
    # reference's cloth (colour ratios within 7% each), beyond 0.16 surely not (more than
    # the generator's camera moves one cloth between two photos: 0.154 at the worst),
    # between the two a reviewer compares the photos. Tuned photos of the reference's
    # cloth 0.002-0.144 (9 of 120 above 0.10), of another tuned cloth >= 0.29; a grey
    # cloth and a pale-blue one come as close as 0.084 under the camera model (1% of
    # such pairs under 0.10)
    reference_sure_cast: float = 0.10
    reference_max_cast: float = 0.16
    min_sharpness: float = 0.7  # face gradient p95 per unit contrast (160 px face)
    # a shaken camera's echo (motion_streak; 0.5 = an ideal streak). Focused faces reach
    # 0.153 (100 tuned photos) and 0.136 (23 real press photos); the blurred tuned photos
    # that min_sharpness misses lie at 0.27-0.40 but one (0.142, missed by both): the
    # boundary sits midway, 0.06 from each side
    max_streak: float = 0.21
    # moire_peak in the middle of the face: tuned genuine photos 13-93 (fresh draws, 25),
    # tuned screens 3094 and up; the boundary at their geometric middle (5.8x and 5.7x)
    screen_min_peak: float = 540.0
