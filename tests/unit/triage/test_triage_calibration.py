from core.triage.calibration import reliability, widespread_threshold


def test_the_scope_cut_weighs_a_missed_outage_as_much_as_a_false_alarm():
    # Few widespread reports, all scored between 0.3 and 0.45: a 0.5 cut would
    # call every one of them single; the balanced cut catches them.
    probs = [0.05] * 90 + [0.35] * 2 + [0.3, 0.4, 0.45] * 3
    gold = [0] * 90 + [0] * 2 + [1] * 9
    cut, balanced = widespread_threshold(probs, gold)
    # 0.3 catches all nine and calls two single reports widespread (0.25 does
    # the same: the tie keeps the higher cut).
    assert (cut, round(balanced, 4)) == (0.3, round((1 + 90 / 92) / 2, 4))


def test_ties_keep_the_higher_cut():
    cut, balanced = widespread_threshold([0.1, 0.9], [0, 1])
    assert (cut, balanced) == (0.6, 1.0)


def test_reliability_reports_the_gap_between_confidence_and_accuracy():
    table = reliability([0.95, 0.95, 0.55, 0.55], [True, True, True, False])
    assert table["ece"] == round(0.5 * 0.05 + 0.5 * 0.05, 4)
    assert [row["n"] for row in table["table"]] == [2, 2]
