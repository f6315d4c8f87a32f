"""The posture score, pure: every status, weight and evidence age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tocsin.posture.models import ItemStatus
from tocsin.posture.score import Line, is_stale, score

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def line(status: ItemStatus | None, weight: int = 1, age: int | None = None,
         max_age: int | None = None) -> Line:  # fmt: skip
    evidenced = NOW - timedelta(days=age) if age is not None else None
    return Line(weight=weight, status=status, evidenced_on=evidenced, max_age_days=max_age)


def test_done_counts_fully_partial_half_and_unanswered_nothing() -> None:
    assert score([line(ItemStatus.done), line(ItemStatus.not_done)], NOW) == 50
    assert score([line(ItemStatus.partial), line(None)], NOW) == 25
    assert score([line(ItemStatus.done, weight=3), line(ItemStatus.not_done)], NOW) == 75


def test_not_applicable_leaves_the_denominator() -> None:
    assert score([line(ItemStatus.done), line(ItemStatus.not_applicable)], NOW) == 100
    assert score([line(ItemStatus.not_applicable)], NOW) == 0
    assert score([], NOW) == 0


def test_evidence_older_than_the_item_allows_does_not_count() -> None:
    fresh = line(ItemStatus.done, age=100, max_age=365)
    old = line(ItemStatus.done, age=400, max_age=365)
    undated = line(ItemStatus.done, max_age=365)
    assert not is_stale(fresh, NOW) and is_stale(old, NOW) and is_stale(undated, NOW)
    assert score([fresh, old], NOW) == 50
    assert not is_stale(line(ItemStatus.not_done, age=999, max_age=1), NOW)
    assert not is_stale(line(ItemStatus.done, age=9999), NOW)  # no validity limit


statuses = st.sampled_from([*ItemStatus, None])
lines = st.lists(
    st.builds(line, statuses, st.integers(0, 5), st.none() | st.integers(0, 800),
              st.none() | st.integers(1, 730)),
    max_size=30,
)  # fmt: skip


@given(lines)
def test_the_score_is_between_0_and_100(items: list[Line]) -> None:
    assert 0 <= score(items, NOW) <= 100


@given(lines)
def test_finishing_an_item_never_lowers_the_score(items: list[Line]) -> None:
    for index, item in enumerate(items):
        if item.status in (ItemStatus.not_done, None):
            better = [*items]
            better[index] = Line(item.weight, ItemStatus.done, NOW, item.max_age_days)
            assert score(better, NOW) >= score(items, NOW)
