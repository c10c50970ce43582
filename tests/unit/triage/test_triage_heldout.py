from datetime import UTC, datetime

from core.triage import Classifier
from core.triage.examples import bundled_examples

NOW = datetime(2024, 5, 10, 4, 0, tzinfo=UTC)


def test_bundled_examples_cover_every_subtype_in_several_languages() -> None:
    from core.taxonomy import SUBTYPES

    examples = bundled_examples()
    assert len(examples) >= 300
    for subtype in SUBTYPES:
        langs = {e.lang for e in examples if e.subtype == subtype}
        assert {"zh", "en"} <= langs, subtype


def test_held_out_fifth_of_the_examples_is_classified_accurately() -> None:
    examples = bundled_examples()
    assert any(e.vague for e in examples)
    examples = tuple(e for e in examples if not e.vague)
    train = [e for i, e in enumerate(examples) if i % 5 != 0]
    test = [e for i, e in enumerate(examples) if i % 5 == 0]
    clf = Classifier(train)
    verdicts = [clf.classify(e.text, NOW) for e in test]
    subtype_acc = sum(v.subtype == e.subtype for v, e in zip(verdicts, test, strict=True)) / len(
        test
    )
    scope_acc = sum(v.scope == e.scope for v, e in zip(verdicts, test, strict=True)) / len(test)
    assert subtype_acc >= 0.85
    assert scope_acc >= 0.85


def test_every_example_file_parses_and_no_text_is_repeated() -> None:
    from importlib import resources

    from core.triage.examples import example_files, parse_examples

    data = resources.files("core.triage").joinpath("data")
    texts: list[str] = []
    for name in example_files():
        examples = parse_examples(data.joinpath(name).read_text("utf-8").splitlines())
        assert examples, name
        texts.extend(e.text for e in examples)
    assert len(texts) == len(set(texts)) == len(bundled_examples())
