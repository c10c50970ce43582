import pytest

from core.taxonomy import SUBTYPES, Category, Priority, Scope, UnknownSubtypeError, priority_for


def test_there_are_24_subtypes_in_6_categories():
    assert len(SUBTYPES) == 24
    assert {s.category for s in SUBTYPES.values()} == set(Category)


@pytest.mark.parametrize(
    ("subtype", "scope", "expected"),
    [
        ("av.stutter", Scope.SINGLE, Priority.P2),
        ("av.stutter", Scope.WIDESPREAD, Priority.P1),
        ("func.stream_push", Scope.SINGLE, Priority.P1),
        ("func.stream_push", Scope.WIDESPREAD, Priority.P0),
        ("acct.login", Scope.WIDESPREAD, Priority.P0),
        ("fin.refund", Scope.WIDESPREAD, Priority.P1),
        ("svc.attitude", Scope.WIDESPREAD, Priority.P2),
        ("sug.feature", Scope.WIDESPREAD, Priority.P3),
        ("sug.ui", Scope.SINGLE, Priority.P3),
    ],
)
def test_priority_is_the_base_raised_one_level_when_widespread(subtype, scope, expected):
    assert priority_for(subtype, scope) is expected


def test_p0_is_never_raised_further():
    assert Priority.P0.raised() is Priority.P0


def test_an_unknown_subtype_is_a_clear_error():
    with pytest.raises(UnknownSubtypeError, match=r"av\.nope"):
        priority_for("av.nope", Scope.SINGLE)
