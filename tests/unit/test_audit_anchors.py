from datetime import UTC, datetime

from core.storage.anchors import Anchor, AnchorFile

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def test_the_latest_anchor_is_the_last_line(tmp_path):
    anchors = AnchorFile(tmp_path / "sub" / "anchors.txt")
    assert anchors.latest() is None
    anchors.append(Anchor(T0, 3, "a" * 64))
    anchors.append(Anchor(T0, 9, "b" * 64))
    assert anchors.latest() == Anchor(T0, 9, "b" * 64)


def test_a_torn_or_foreign_line_is_skipped(tmp_path):
    path = tmp_path / "anchors.txt"
    AnchorFile(path).append(Anchor(T0, 3, "a" * 64))
    with path.open("a", encoding="utf-8") as f:
        f.write("garbage\n2026-12-01T03:00:00 4 " + "c" * 64 + "\n" + T0.isoformat() + " 5 dd")
    assert AnchorFile(path).latest() == Anchor(T0, 3, "a" * 64)
