from sqlalchemy import delete, func, select, update

from core import audit
from core.audit import AuditEntry, verify_chain
from core.database import db


def _write_entries(n: int) -> None:
    for i in range(n):
        audit.record("test.change", object_type="thing", object_id=i, before={"v": i}, after={"v": i + 1})
    db.session.commit()


def test_each_entry_links_to_the_previous_one(app):
    _write_entries(3)
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == audit.GENESIS_HASH
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert verify_chain() == []


def test_record_stores_before_and_after_as_json(app):
    entry = audit.record("loan.update", object_type="loans", object_id=7,
                         before={"grade": "potential"}, after={"grade": "hard", "amount": 500})
    db.session.commit()
    assert entry.before_data == {"grade": "potential"}
    assert entry.after_data == {"amount": 500, "grade": "hard"}
    assert entry.actor_label == "system"


def test_record_refuses_floats_that_are_not_money_safe(app):
    import pytest

    with pytest.raises(TypeError):
        audit.record("bad", object_type="x", object_id=1, after={"amount": object()})


def test_rolled_back_change_leaves_no_audit_row(app):
    audit.record("test.change", object_type="thing", object_id=1)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    assert verify_chain() == []


def test_edited_row_is_detected(app):
    _write_entries(3)
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(after='{"v": 999}'))
    db.session.commit()
    problems = verify_chain()
    assert [p.seq for p in problems] == [2]
    assert "edited" in problems[0].message


def test_rehashed_edit_breaks_the_next_link(app):
    _write_entries(3)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.seq == 2))
    entry.after = '{"v": 999}'
    entry.hash = entry.compute_hash()
    db.session.commit()
    assert [p.seq for p in verify_chain()] == [3]


def test_deleted_middle_row_is_detected(app):
    _write_entries(3)
    db.session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    db.session.commit()
    messages = [p.message for p in verify_chain()]
    assert any("missing" in m for m in messages)


def test_deleted_last_row_is_detected(app):
    _write_entries(3)
    db.session.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
    db.session.commit()
    assert [p.seq for p in verify_chain()] == [None]


def test_cli_verify_passes_on_intact_trail_and_fails_after_tampering(app):
    _write_entries(2)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "2 entries" in result.output
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(actor_label="someone else"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at entry 1" in result.output


def test_signed_in_actor_is_recorded(client, login_as):
    user = login_as("desk", roles="admin")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login")).one()
    assert (entry.actor_id, entry.actor_label) == (user.id, "desk")


def test_concurrent_writers_never_fork_the_chain(app):
    import threading

    errors = []

    def writer(worker: int) -> None:
        try:
            with app.app_context():
                for i in range(15):
                    audit.record("test.concurrent", object_type="thing", object_id=f"{worker}-{i}")
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # surfaced below; a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 60
    assert verify_chain() == []
