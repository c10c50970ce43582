"""The outbox store on SQLite and PostgreSQL: idempotent enqueue, per-chat
order, leases, retries, failures, expiry and progress.
"""

from datetime import timedelta

import pytest
from sqlmodel import select

from core.conversation.messages import Attachment, Choice, Reply
from core.errors import InvalidInputError
from core.outbox import OutboxStatus, SqlOutbox, enqueue, enqueue_replies
from core.storage.outbox_tables import OutboxMessageRow

LEASE = timedelta(minutes=2)


def _add(db, clock, chat, text, *, key=None, channel="telegram", group=None, expires_at=None):
    with db.session() as s:
        return enqueue(
            s,
            channel=channel,
            chat_id=chat,
            language="en",
            reply=Reply(text),
            dedupe_key=key or f"{channel}:{chat}:{text}",
            now=clock.now(),
            group_key=group,
            expires_at=expires_at,
        )


def _claim(outbox, clock, worker="w1", limit=50, channel="telegram"):
    return outbox.claim_due(clock.now(), limit, worker, channel=channel, lease=LEASE)


def _texts(messages):
    return [m.reply.text for m in messages]


def test_enqueue_is_idempotent_on_its_key(db, clock):
    assert _add(db, clock, "42", "incident update", key="incident-update:7:42") is True
    assert _add(db, clock, "42", "other text", key="incident-update:7:42") is False
    with db.session(read_only=True) as s:
        rows = s.exec(select(OutboxMessageRow)).all()
    assert [(r.dedupe_key, r.body["text"], r.status) for r in rows] == [
        ("incident-update:7:42", "incident update", "pending")
    ]


def test_enqueue_commits_or_rolls_back_with_the_callers_transaction(db, clock):
    with pytest.raises(RuntimeError), db.session() as s:
        enqueue(
            s,
            channel="telegram",
            chat_id="42",
            language="en",
            reply=Reply("never"),
            dedupe_key="rolled-back",
            now=clock.now(),
        )
        raise RuntimeError("the state change failed")
    assert _claim(SqlOutbox(db), clock) == []


def test_a_claimed_message_carries_the_whole_reply(db, clock):
    reply = Reply("Fixed?", choices=(Choice("fixed:yes", "Yes"), Choice("fixed:no", "No")))
    with db.session() as s:
        enqueue(
            s,
            channel="console",
            chat_id="c1",
            language="zh",
            reply=reply,
            dedupe_key="followup:LD-1",
            group_key="followup",
            now=clock.now(),
        )
    _add(db, clock, "c2", "send a screenshot", channel="console")
    first, second = _claim(SqlOutbox(db), clock, channel="console")
    assert first.reply == reply
    assert (first.language, first.chat_id, first.group_key, first.attempts) == (
        "zh",
        "c1",
        "followup",
        1,
    )
    assert second.reply == Reply("send a screenshot")


def test_a_stored_file_goes_through_by_its_path_never_its_bytes(db, clock):
    file = Attachment("document", "steps.pdf", "application/pdf", b"%PDF-1.7", stored="ab/c.pdf")
    with db.session() as s:
        enqueue(
            s,
            channel="telegram",
            chat_id="42",
            language="en",
            reply=Reply("Agent Mei: steps.pdf", attachment=file),
            dedupe_key="relay:1",
            now=clock.now(),
        )
    (claimed,) = _claim(SqlOutbox(db), clock)
    assert claimed.reply.attachment == Attachment(
        "document", "steps.pdf", "application/pdf", b"", declared_size=8, stored="ab/c.pdf"
    )
    with db.session() as s:
        (row,) = s.exec(select(OutboxMessageRow)).all()
    assert "%PDF" not in str(row.body)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reply": Reply("  ")}, "reply text: is empty"),
        ({"reply": Reply("x\x00")}, "NUL"),
        (
            {"reply": Reply("f", attachment=Attachment("photo", "a.jpg", "image/jpeg", b"1"))},
            "only attachments already stored",
        ),
        ({"dedupe_key": ""}, "dedupe_key: is empty"),
        ({"chat_id": "x" * 201}, "chat_id"),
        ({"expires_at": "now"}, "expires_at: must be later than now"),
    ],
)
def test_enqueue_refuses_bad_input_with_a_clear_error(db, clock, change, message):
    values = {
        "channel": "telegram",
        "chat_id": "42",
        "language": "en",
        "reply": Reply("hello"),
        "dedupe_key": "k",
        "now": clock.now(),
    }
    values.update(change)
    if values.get("expires_at") == "now":
        values["expires_at"] = clock.now()
    with pytest.raises(InvalidInputError, match=message), db.session() as s:
        enqueue(s, **values)


def test_only_the_earliest_unsent_message_of_a_chat_is_claimed(db, clock):
    outbox = SqlOutbox(db)
    for text in ("a1", "a2", "a3"):
        _add(db, clock, "alice", text)
    _add(db, clock, "bob", "b1")
    _add(db, clock, "carol", "c1", channel="console")

    first = _claim(outbox, clock)
    assert _texts(first) == ["a1", "b1"]
    # Held by w1: nobody else gets them, nor the rows queued behind them.
    assert _claim(outbox, clock, worker="w2") == []
    assert outbox.mark_sent(first[0].id, "w1", clock.now())
    assert _texts(_claim(outbox, clock, worker="w2")) == ["a2"]


def test_marks_belong_to_the_claimer(db, clock):
    outbox = SqlOutbox(db)
    _add(db, clock, "alice", "a1")
    (message,) = _claim(outbox, clock)
    assert outbox.mark_sent(message.id, "intruder", clock.now()) is False
    assert outbox.fail(message.id, "intruder", clock.now(), "x") is False
    assert outbox.mark_sent(message.id, "w1", clock.now()) is True
    assert outbox.mark_sent(message.id, "w1", clock.now()) is False
    row = outbox.get(message.id)
    assert (row.status, row.sent_at, row.claimed_by) == ("sent", clock.now(), "w1")


def test_a_retried_message_holds_up_its_chat_until_it_is_due(db, clock):
    outbox = SqlOutbox(db)
    _add(db, clock, "alice", "a1")
    _add(db, clock, "alice", "a2")
    (a1,) = _claim(outbox, clock)
    assert outbox.retry_later(a1.id, "w1", clock.now(), timedelta(seconds=30), "timed out")
    assert _claim(outbox, clock) == []
    assert outbox.next_due("telegram") == clock.now() + timedelta(seconds=30)
    clock.advance(timedelta(seconds=30))
    (again,) = _claim(outbox, clock)
    assert (again.id, again.attempts) == (a1.id, 2)
    assert outbox.get(a1.id).last_error == "timed out"


def test_a_failed_message_lets_its_chat_go_on(db, clock):
    outbox = SqlOutbox(db)
    _add(db, clock, "alice", "a1")
    _add(db, clock, "alice", "a2")
    (a1,) = _claim(outbox, clock)
    assert outbox.fail(a1.id, "w1", clock.now(), "403: bot was blocked by the user")
    assert _texts(_claim(outbox, clock)) == ["a2"]
    assert outbox.get(a1.id).status == OutboxStatus.FAILED


def test_an_expired_lease_makes_the_message_claimable_again(db, clock):
    outbox = SqlOutbox(db)
    _add(db, clock, "alice", "a1")
    (held,) = _claim(outbox, clock, worker="dead")
    clock.advance(LEASE - timedelta(seconds=1))
    assert _claim(outbox, clock, worker="w2") == []
    assert outbox.next_due("telegram") == clock.now() + timedelta(seconds=1)
    clock.advance(timedelta(seconds=1))
    (again,) = _claim(outbox, clock, worker="w2")
    assert (again.id, again.attempts) == (held.id, 2)
    # The first claimer lost it: its late mark changes nothing.
    assert outbox.mark_sent(held.id, "dead", clock.now()) is False
    assert outbox.mark_sent(held.id, "w2", clock.now()) is True


def test_released_messages_are_due_again_and_not_counted(db, clock):
    outbox = SqlOutbox(db)
    _add(db, clock, "alice", "a1")
    _add(db, clock, "bob", "b1")
    claimed = _claim(outbox, clock)
    later = clock.now() + timedelta(seconds=20)
    assert outbox.release([m.id for m in claimed], "w1", later) == 2
    assert _claim(outbox, clock) == []
    clock.set(later)
    assert [m.attempts for m in _claim(outbox, clock)] == [1, 1]


def test_messages_past_their_expiry_are_expired_not_sent(db, clock):
    outbox = SqlOutbox(db)
    _add(db, clock, "alice", "stale", expires_at=clock.now() + timedelta(minutes=5))
    _add(db, clock, "alice", "fresh")
    (stale,) = _claim(outbox, clock)
    outbox.retry_later(stale.id, "w1", clock.now(), timedelta(minutes=10), "timed out")
    assert outbox.next_due("telegram") == clock.now() + timedelta(minutes=5)
    clock.advance(timedelta(minutes=5))
    assert _texts(_claim(outbox, clock)) == ["fresh"]
    row = outbox.get(stale.id)
    assert (row.status, row.last_error) == ("expired", "expired before it could be sent")


def test_progress_counts_a_group(db, clock):
    outbox = SqlOutbox(db)
    for i in range(5):
        _add(db, clock, f"r{i}", "update", group="incident-update:9")
    _add(db, clock, "elsewhere", "other", group="incident-update:10")
    assert outbox.progress("incident-update:9") == (0, 5, 0)
    claimed = _claim(outbox, clock)
    for m in claimed[:3]:
        outbox.mark_sent(m.id, "w1", clock.now())
    outbox.fail(claimed[3].id, "w1", clock.now(), "blocked")
    progress = outbox.progress("incident-update:9")
    assert progress == (3, 5, 1)
    assert progress.pending == 1
    assert outbox.progress("nothing") == (0, 0, 0)


def test_claim_refuses_nonsense(db, clock):
    outbox = SqlOutbox(db)
    with pytest.raises(ValueError, match="limit"):
        outbox.claim_due(clock.now(), 0, "w1", channel="telegram", lease=LEASE)
    with pytest.raises(ValueError, match="lease"):
        outbox.claim_due(clock.now(), 5, "w1", channel="telegram", lease=timedelta(0))


def test_bulk_messages_give_way_to_the_others(db, clock):
    outbox = SqlOutbox(db)
    with db.session() as s:
        for i in range(3):
            enqueue(
                s,
                channel="telegram",
                chat_id=f"r{i}",
                language="en",
                reply=Reply(f"update {i}"),
                dedupe_key=f"incident-update:1:r{i}",
                now=clock.now(),
                bulk=True,
            )
    _add(db, clock, "asker", "reply")
    assert _texts(_claim(outbox, clock, limit=2)) == ["reply", "update 0"]
    assert _texts(_claim(outbox, clock, limit=2)) == ["update 1", "update 2"]


def test_the_replies_of_one_turn_go_in_once_and_in_order(db, clock):
    replies = [Reply("Thanks, noted."), Reply("Which device?", choices=(Choice("d:ios", "iOS"),))]
    for expected_new in (2, 0):  # the second time is a redelivered update
        with db.session() as s:
            new = enqueue_replies(
                s,
                channel="telegram",
                chat_id="42",
                language="en",
                replies=replies,
                key="reply:telegram:update-991",
                now=clock.now(),
            )
        assert new == expected_new
    outbox = SqlOutbox(db)
    (first,) = _claim(outbox, clock)
    assert (first.reply, first.dedupe_key) == (replies[0], "reply:telegram:update-991:0")
    outbox.mark_sent(first.id, "w1", clock.now())
    assert [m.reply for m in _claim(outbox, clock)] == [replies[1]]


def test_prune_deletes_only_finished_rows_older_than_the_cutoff(db, clock):
    outbox = SqlOutbox(db)
    _add(db, clock, "a", "sent long ago")
    _add(db, clock, "b", "failed long ago")
    _add(db, clock, "c", "still pending")
    sent, failed, pending = _claim(outbox, clock)
    outbox.mark_sent(sent.id, "w1", clock.now())
    outbox.fail(failed.id, "w1", clock.now(), "blocked")
    outbox.release([pending.id], "w1", clock.now())
    clock.advance(timedelta(days=31))
    _add(db, clock, "d", "queued lately")
    (d,) = [m for m in _claim(outbox, clock) if m.chat_id == "d"]
    outbox.mark_sent(d.id, "w1", clock.now())

    assert outbox.prune(clock.now() - timedelta(days=30)) == 2
    assert outbox.get(d.id).status == OutboxStatus.SENT
    assert outbox.get(sent.id) is None and outbox.get(failed.id) is None
    # An unfinished row stays, however old (here it is being sent again).
    assert outbox.get(pending.id).status == OutboxStatus.SENDING
    # The key of a pruned row is free again.
    assert _add(db, clock, "a", "sent long ago") is True
