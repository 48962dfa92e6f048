"""Fairness and error metrics: who is selected, how often the selection is wrong, and for whom.

One module a concept; every public name is also available here, so ``from scored import audit`` and
``audit.selection_rates(...)`` work as before:

- ``scored.audit.rates``: ``selection_rates``, ``disparate_impact`` and ``four_fifths_check`` compare how often
  each group is selected;
- ``scored.audit.errors``: ``confusion`` and ``error_rates`` compare a decision (``predicted``) with the truth
  (``actual``), overall and by group: false positive and false negative rates, predictive values, base rates;
  ``implied_fpr`` and ``implied_base_rate`` are the identity that links them;
- ``scored.audit.calibration``: ``calibration_table`` compares a score with the observed outcome per group and score
  bin; ``calibrated_scores`` draws a score that is calibrated by construction;
- ``scored.audit.labels``: ``ground_truth_labels`` turns a ``scored.world`` city and a scorecard into one row per
  resident with the decision made on the *records* and the decision the same scorecard would make on the *truth*;
- ``scored.audit.report``: ``audit_report`` puts it together into a report with tables and plain-language findings;
  ``compare_reports`` sets two reports side by side;
- ``scored.audit.sampling``: ``sampling_uncertainty``, how precisely a rate is known from a sample of the truth;
- ``scored.audit.proxies``: ``proxy_strength``, how much other columns give away about group membership.

Errors. Every function validates its inputs with ``scored.validation``. A bad input -- not a DataFrame, a missing
column, a column of the wrong type, missing values, an empty frame, a bad parameter -- raises ``ScoredInputError``
(a ``ValueError``; ``AuditInputError`` is another name for it) or ``ScoredTypeError`` (a ``TypeError`` that is
also a ``ScoredInputError``), whose message names the column or parameter. A result that is mathematically
undefined (a ratio 0/0) also raises rather than returning a silent NaN; rates with a zero denominator *inside* a
table are NaN.

In the synthetic city we know the truth, so error rates can be measured. Real auditors almost never can: they see
the records, not what happened.
"""
from __future__ import annotations

from ..validation import ScoredInputError
from .calibration import calibrated_scores, calibration_table
from .errors import COUNT_COLUMNS, RATE_COLUMNS, confusion, error_rates, implied_base_rate, implied_fpr
from .labels import TRUTH_BASES, ground_truth_labels
from .proxies import PROXY_COMBINED, proxy_strength
from .rates import FOUR_FIFTHS, FourFifths, disparate_impact, four_fifths_check, selection_rates
from .report import SMALL_GROUP, SUMMARY_GROUP, AuditReport, GroupAudit, audit_report, compare_reports
from .sampling import sampling_uncertainty

#: The old name of ``scored.validation.ScoredInputError``, kept so that ``except AuditInputError`` still works.
AuditInputError = ScoredInputError

__all__ = ["AuditInputError", "selection_rates", "disparate_impact", "FourFifths", "four_fifths_check",
           "confusion", "error_rates", "calibration_table", "ground_truth_labels", "GroupAudit", "AuditReport",
           "audit_report", "TRUTH_BASES", "PROXY_COMBINED", "proxy_strength", "calibrated_scores", "implied_fpr",
           "implied_base_rate", "compare_reports", "sampling_uncertainty", "SUMMARY_GROUP", "FOUR_FIFTHS",
           "SMALL_GROUP", "RATE_COLUMNS", "COUNT_COLUMNS"]
