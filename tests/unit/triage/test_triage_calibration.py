from core.triage.calibration import (
    INFO_LEAK_CEILING,
    ask_threshold,
    reliability,
    simplest_within_noise,
    urgent_ask_cut,
    widespread_threshold,
)


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


def test_the_info_threshold_asks_as_little_as_the_leak_ceiling_allows():
    # 100 suggestions: 5 given a fault subtype with suggestion mass 0.3, 0.2,
    # 0.1, 0.05, 0.01; at most 2 may leak (2%), so the cut must catch three.
    mass = [0.3, 0.2, 0.1, 0.05, 0.01] + [0.9] * 95
    fault = [True] * 5 + [False] * 95
    at, leak = ask_threshold(mass, fault, [True] * 100, INFO_LEAK_CEILING)
    assert (at, leak) == (0.1, 0.02)


def test_the_urgent_threshold_keeps_misread_outages_within_one_in_a_thousand():
    # 2,000 P0 reports, 4 read as widespread with a subtype that cannot be P0
    # (P0-capable mass 0.4, 0.2, 0.12, 0.03); 2 may be missed (1 in 1,000),
    # so the cut catches the two likeliest. A non-P0 message never counts.
    mass = [0.4, 0.2, 0.12, 0.03] + [0.9] * 1996 + [0.0]
    misread = [True] * 4 + [False] * 1996 + [True]
    gold_p0 = [True] * 2000 + [False]
    cut = urgent_ask_cut(gold_p0, misread, mass)
    # Asked: the two P0 reports, and the non-P0 one (mass 0.0) is not.
    assert cut == {"urgent_ask_at": 0.2, "urgent_missed": 0.001, "urgent_asked": round(2 / 2001, 4)}


def test_a_better_score_within_the_noise_does_not_buy_a_weaker_regularisation():
    # On 6,000 examples one standard error of 94% is about 0.3 points.
    tried = [(0.9329, "logreg", 30.0), (0.9437, "svm", 3.0), (0.9443, "svm", 10.0)]
    assert simplest_within_noise(tried, 6000) == 1
    # Past the noise the better one wins; another kind is never compared on C.
    assert simplest_within_noise([(0.90, "svm", 1.0), (0.95, "svm", 10.0)], 6000) == 1
    assert simplest_within_noise([(0.95, "logreg", 1.0), (0.951, "svm", 9.0)], 6000) == 1
