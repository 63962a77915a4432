"""How many examples a property test draws.

The count written in a test is a thorough run's: ``pytest --hypothesis-profile=thorough``,
as CI's second pass runs the unit tests. The suite (the ``suite`` profile, the default)
draws a share of it, so it stays under two minutes on two cores; Hypothesis's example
database keeps whatever failed for the next run either way.
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("suite", max_examples=25)
settings.register_profile("thorough", max_examples=100)
settings.load_profile("suite")  # pytest's --hypothesis-profile loads another after this


def examples(thorough: int) -> int:
    """*thorough* examples in a thorough run; the profile's share of them (at least 10)."""
    return max(10, thorough * settings().max_examples // 100)
