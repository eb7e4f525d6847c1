"""The filing order, the rules of RULES.md (a result per rule) and the order's lifecycle.

Pure: no I/O, no clock. Entry points: ``kyc.filing.check.check_filing`` /
``check_filing_json`` and ``kyc.filing.lifecycle.step``. See docs/filing.md.
"""
