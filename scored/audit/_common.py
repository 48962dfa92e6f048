"""Small helpers shared by the audit modules."""
from __future__ import annotations

import math
from typing import Any


def pct(x: Any, digits: int = 1) -> str:
    """A share as a percentage for findings, e.g. 0.123 -> "12.3%"; "n/a" for None or NaN."""
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}%}"
