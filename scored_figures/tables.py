"""Tables for people: no index, plain-word headers, percentages and two or three significant figures.

    show(frame, percent=["share blacklisted"], digits={"records per true offence": 2})

returns a pandas Styler, which the page renders as an HTML table with text wrapped (never cut).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd


def show(frame: pd.DataFrame, *, percent: Iterable[str] = (), digits: Mapping[str, int] | None = None,
         percent_digits: int = 1, thousands: bool = True):
    """``frame`` styled for reading: its index hidden, ``percent`` columns as percentages, ``digits``
    columns with that many decimals, other integers with thousands separators."""
    percent = list(percent)
    digits = dict(digits or {})
    missing = [c for c in [*percent, *digits] if c not in frame.columns]
    if missing:
        raise ValueError(f"show: columns {missing} are not in the table; it has {list(frame.columns)}")
    formats = {c: f"{{:.{percent_digits}%}}" for c in percent}
    formats.update({c: f"{{:,.{n}f}}" for c, n in digits.items()})
    for column in frame.columns:
        if column not in formats and pd.api.types.is_integer_dtype(frame[column]) and thousands:
            formats[column] = "{:,}"
    return (frame.style.hide(axis="index").format(formats, na_rep="–")
            .set_table_attributes('class="scored-table"')
            .set_table_styles([{"selector": "th, td", "props": "white-space: normal; text-align: left;"}]))
