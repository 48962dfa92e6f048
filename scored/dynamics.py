"""Systems that change what they measure: feedback loops, guilt by association and chilling effects.

Three parts, each deterministic given a seed:

* **Feedback loops** (chapter "Measurement bias and feedback loops"): where watching more produces more
  records, and records decide where to watch next.
* **Association** (chapter "Association, chilling effects and function creep"): a score that counts the
  scores of a person's contacts, and how a penalty spreads through the city's ties.
* **Chilling effects** (same chapter): residents who change what they do because they are watched, and
  what is lost when they do.
"""

from __future__ import annotations

# --- Feedback loops ------------------------------------------------------------------------------------


# --- Association and chilling effects ------------------------------------------------------------------
