"""Property test: every public toolkit function, fed a bad value in place of any argument, gives a clear error
(a ScoredInputError/ScoredTypeError naming the argument) or a result -- never a raw crash.

The catalogue is in ``bad_inputs.py``; ``benchmarks/bench_bad_inputs.py`` tries every combination and prints the
figures for the report. Here hypothesis draws from the same space.
"""
from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bad_inputs

INPUTS = bad_inputs.all_inputs()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(INPUTS))
def test_a_bad_argument_gets_a_clear_error_or_a_result(drawn):
    case, arg, index = drawn
    value = bad_inputs.bad_values(case, arg)[index]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = bad_inputs.outcome(case, arg, value)
    assert result in ("ok", "clear"), f"{case.name}({arg}={value!r:.80}): {result}"


@pytest.mark.parametrize("case", bad_inputs.CASES, ids=lambda c: c.name)
def test_every_catalogued_function_works_on_its_good_call(case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a good call warns about nothing
        case.call()


def test_the_catalogue_covers_the_public_api():
    import scored.audit
    from scored import appeals, privacy, scoring

    covered = {c.name for c in bad_inputs.CASES}
    for module, skip in ((scored.audit, {"AuditInputError", "FourFifths", "GroupAudit", "AuditReport"}),
                         (privacy, {"PrivacyInputError", "BudgetExceeded", "LinkResult", "Suppressed",
                                    "KAnonymousRelease", "linkage_outcomes"}),
                         (scoring, {"as_scorecard"}),
                         (appeals, {"AccessModel", "appeal_access", "policy_grid", "safeguard_grid"})):
        name = module.__name__.split(".")[-1]
        public = {n for n in module.__all__ if callable(getattr(module, n)) and not n.isupper()} - skip
        missing = sorted(n for n in public if f"{name}.{n}" not in covered)
        assert not missing, f"add {missing} of scored.{name} to tests/bad_inputs.py"
