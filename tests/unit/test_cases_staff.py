"""Staff accounts: argon2 hashes, throttled logins, rehashing, and the audit entries they leave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from townhall.cases.models import AuditEntry, StaffUser
from townhall.cases.staff import (
    StaffError,
    authenticate,
    create_staff,
    set_active,
    set_password,
    staff_user,
    wait_after,
)

NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "a long pasted passphrase"


@pytest.fixture
def user_id(sqlite_database) -> int:
    with sqlite_database.session() as session:
        return create_staff(session, email=" Casey@Brackenford.Example ", name="Casey Jones", role="customer_service",
                            password=PASSWORD, now=NOW, hasher=FAST).id


def login(database, password=PASSWORD, now=NOW, email="casey@brackenford.example", hasher=FAST):
    with database.session() as session:
        result = authenticate(session, email, password, now, hasher=hasher)
        return result.ok, result.wait_seconds


def test_account_is_stored_with_an_argon2id_hash(sqlite_database, user_id):
    with sqlite_database.read_session() as session:
        user = session.get(StaffUser, user_id)
        assert user.email == "casey@brackenford.example"
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert session.scalar(select(AuditEntry.action)) == "staff_create"


def test_bad_accounts_are_refused(sqlite_database, user_id):
    with sqlite_database.session() as session:
        for fields, field in ((dict(email="not-an-email"), "email"), (dict(role="wizard"), "role"),
                              (dict(password="short"), "password"), (dict(email="CASEY@brackenford.example"), "email"),
                              (dict(name=""), "name")):
            values = dict(email="new@brackenford.example", name="New", role="content", password=PASSWORD)
            values.update(fields)
            with pytest.raises(StaffError) as raised:
                create_staff(session, now=NOW, hasher=FAST, **values)
            assert raised.value.field == field


def test_login_with_any_letter_case_in_the_email(sqlite_database, user_id):
    assert login(sqlite_database, email="CASEY@brackenford.example") == (True, 0)


def test_unknown_email_and_inactive_account_look_like_a_wrong_password(sqlite_database, user_id):
    assert login(sqlite_database, email="nobody@brackenford.example") == (False, 0)
    with sqlite_database.session() as session:
        set_active(session, user_id, False, NOW, changed_by=None)
    assert login(sqlite_database) == (False, 0)
    with sqlite_database.read_session() as session:
        assert staff_user(session, user_id) is None


def test_five_free_failures_then_a_growing_wait(sqlite_database, user_id):
    for attempt in range(1, 5):
        assert login(sqlite_database, "wrong", NOW + timedelta(seconds=attempt)) == (False, 0)
    assert login(sqlite_database, "wrong", NOW + timedelta(seconds=5)) == (False, 30)  # 5th failure
    # Within the wait even the right password is not checked.
    assert login(sqlite_database, PASSWORD, NOW + timedelta(seconds=20)) == (False, 15)
    assert login(sqlite_database, "wrong", NOW + timedelta(seconds=36)) == (False, 60)  # 6th failure: 1 minute
    assert login(sqlite_database, PASSWORD, NOW + timedelta(seconds=97)) == (True, 0)
    with sqlite_database.read_session() as session:
        assert session.get(StaffUser, user_id).failed_logins == 0
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("login_failed") == 6 and actions[-1] == "login"


def test_waits_double_and_stop_at_fifteen_minutes():
    assert [wait_after(n).total_seconds() for n in (4, 5, 6, 7)] == [0, 30, 60, 120]
    assert wait_after(50) == wait_after(10_000_000) == timedelta(minutes=15)  # no overflow, however many


def test_rehash_when_the_parameters_change(sqlite_database, user_id):
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    with sqlite_database.read_session() as session:
        before = session.get(StaffUser, user_id).password_hash
    assert login(sqlite_database, hasher=stronger) == (True, 0)
    with sqlite_database.read_session() as session:
        after = session.get(StaffUser, user_id).password_hash
    assert after != before and "m=2048,t=2" in after
    assert login(sqlite_database, hasher=stronger) == (True, 0)


def test_set_password(sqlite_database, user_id):
    with sqlite_database.session() as session:
        with pytest.raises(StaffError):
            set_password(session, user_id, "short", NOW, changed_by=user_id, hasher=FAST)
        set_password(session, user_id, "another long passphrase", NOW, changed_by=user_id, hasher=FAST)
    assert login(sqlite_database, "another long passphrase")[0]


def test_a_huge_password_is_cut_before_hashing(sqlite_database, user_id):
    assert login(sqlite_database, "x" * 1_000_000) == (False, 0)
