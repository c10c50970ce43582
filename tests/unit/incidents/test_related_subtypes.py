import pytest

from core.incidents.related import RELATED, group_of, is_finance_group
from core.taxonomy import SUBTYPES, Category, UnknownSubtypeError

# Subtypes about one user's own case, about support itself, or suggestions.
NEVER_AN_INCIDENT = {"fin.refund"} | {
    s.id for s in SUBTYPES.values() if s.category in (Category.SERVICE, Category.SUGGESTION)
}


def test_every_subtype_is_in_one_group_or_deliberately_in_none():
    grouped = [sid for members in RELATED.values() for sid in members]
    assert len(grouped) == len(set(grouped))
    assert set(grouped) | NEVER_AN_INCIDENT == set(SUBTYPES)
    assert not set(grouped) & NEVER_AN_INCIDENT


def test_sound_symptoms_are_one_outage():
    assert group_of("av.no_audio") == group_of("av.noise_echo") == "sound"


def test_a_black_screen_and_a_broadcaster_who_cannot_push_are_one_outage():
    assert group_of("av.black_screen") == group_of("func.stream_push")


def test_stutter_and_blur_go_together_but_not_with_no_picture():
    assert group_of("av.stutter") == group_of("av.blur")
    assert group_of("av.stutter") != group_of("av.black_screen")


def test_gifts_and_money_stay_apart():
    assert group_of("func.gift") != group_of("fin.recharge")
    assert group_of("fin.recharge") != group_of("fin.withdrawal")
    assert is_finance_group(group_of("fin.recharge"))
    assert not is_finance_group(group_of("func.gift"))


@pytest.mark.parametrize("sid", sorted(NEVER_AN_INCIDENT))
def test_these_never_form_an_incident(sid):
    assert group_of(sid) is None


def test_an_unknown_subtype_is_an_error_not_no_group():
    with pytest.raises(UnknownSubtypeError):
        group_of("av.nope")
