"""The automatic limit follows the score from the anchor, whatever came before."""

from __future__ import annotations

import itertools
from decimal import Decimal as D

import pytest

from scoring.automatic_limits import automatic_limit
from scoring.codes import LimitDecisionKind as K
from scoring.policy import load_policy

POLICY = load_policy()


@pytest.mark.parametrize(
    ("anchor", "recommended", "kind", "limit", "proposed"),
    [
        ("40000", None, K.UNCHANGED, "40000", "40000"),
        ("40000", "40000", K.UNCHANGED, "40000", "40000"),
        ("40000", "9000", K.DECREASE_APPLIED, "9000", "9000"),
        ("40000", "48000", K.INCREASE_APPLIED, "48000", "48000"),
        ("40000", "71000", K.INCREASE_NEEDS_APPROVAL, "40000", "71000"),
        ("0", "5000", K.INCREASE_NEEDS_APPROVAL, "0", "5000"),
    ],
)
def test_automatic_limit(anchor, recommended, kind, limit, proposed) -> None:  # type: ignore[no-untyped-def]
    decision = automatic_limit(D(anchor), D(recommended) if recommended else None, POLICY)
    assert (decision.kind, decision.new_limit, decision.proposed_limit) == (kind, D(limit), D(proposed))


def test_the_limit_goes_down_and_back_up_and_only_the_last_score_counts() -> None:
    anchor = D("40000")
    path = [D("25000"), D("9000"), D("45000"), D("71000"), D("30000")]
    limits = [automatic_limit(anchor, r, POLICY).new_limit for r in path]
    assert limits == [D("25000"), D("9000"), D("45000"), D("40000"), D("30000")]
    for order in itertools.permutations(path):
        assert automatic_limit(anchor, order[-1], POLICY).new_limit == limits[path.index(order[-1])]
