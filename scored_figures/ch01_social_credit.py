"""Figures for chapter 1, "What is a social credit system?".

The chapter types in the Supreme People's Court's published figures as a small table (the lesson); this
module draws them (the plumbing): :func:`spc_chart` shows entries listed and blocked purchases by date,
one measure at a time or all three, chosen with buttons in the page.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

MEASURES = ["entries listed", "flight purchases blocked", "rail purchases blocked"]


def spc_chart(spc: pd.DataFrame) -> alt.Chart:
    """Bars of the SPC figures in millions, by date, with a radio button choosing the measure shown.

    ``spc`` has one row per published figure: ``date`` (a label such as "End 2018", in date order),
    ``measure`` (one of :data:`MEASURES`), ``value``, ``qualifier`` (the source's hedging) and ``source``.
    """
    data = spc.assign(millions=spc["value"] / 1_000_000)
    dates = list(dict.fromkeys(data["date"]))  # the order the figures were typed in, which is date order
    show = alt.param(name="show", value="all three",
                     bind=alt.binding_radio(options=["all three"] + MEASURES, name="Show: "))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            # Fixed domains keep dates, colours and the scale in place when the reader switches measure.
            x=alt.X("date:N", sort=dates, scale=alt.Scale(domain=dates), title=None,
                    axis=alt.Axis(labelAngle=-35)),
            xOffset=alt.XOffset("measure:N", sort=MEASURES),
            y=alt.Y("millions:Q", title="Millions", scale=alt.Scale(domain=[0, 30])),
            color=alt.Color("measure:N", scale=alt.Scale(domain=MEASURES), title=None,
                            legend=alt.Legend(orient="bottom", direction="vertical")),
            tooltip=[alt.Tooltip("date:N", title="Date"), alt.Tooltip("measure:N", title="Measure"),
                     alt.Tooltip("millions:Q", format=".2f", title="Millions"),
                     alt.Tooltip("qualifier:N", title="The source says"),
                     alt.Tooltip("source:N", title="Source")],
        )
        .add_params(show)
        .transform_filter((show == "all three") | (alt.datum.measure == show))
        .properties(
            width="container",
            height=260,
            title=["The court list:", "entries and blocked purchases"],
            description=(
                "Bar chart of the Supreme People's Court figures from end 2017 to March 2022: entries listed, "
                "blocked flight purchases and blocked rail purchases, in millions; by July 2019 blocked "
                "flight purchases (27.3 million) are almost twice the number of entries (14.5 million)."
            ),
        )
    )
