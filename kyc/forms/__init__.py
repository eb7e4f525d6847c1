"""Checks of the two other materials of a filing: the signed verification form
(``check_form``, R-DOC-4 / R-REJ-2) and the photo of the website principal in front of
the backdrop (``check_backdrop``, stage 3 and R-DOC-1). docs/forms.md."""
