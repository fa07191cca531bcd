"""Staff accounts: argon2id password hashes, logins that slow down guessers, and rehashing.

Throttling: the first 5 wrong passwords in a row cost nothing extra; after
that, each login must wait 30 seconds after the last failure, doubling with
each further failure (30 s, 1 min, 2 min... at most 15 minutes). While the wait
lasts, attempts are refused without checking the password, so they neither
count nor help a guesser, and the account is never locked for good (which would
let anyone lock a colleague out). A correct password after the wait resets the
count. The web layer adds a per-client rate limit on top.

A wrong email address costs the same time as a wrong password (a dummy hash is
checked), so the login page does not reveal who has an account.

Hashes record their parameters; when argon2-cffi's defaults (or ours) grow,
a successful login rewrites the hash with the new ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..text import N_
from .audit import audit
from .models import ROLES, SIZES, StaffUser
from .validation import clean_text, is_email

FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
MIN_PASSWORD = 12  # NCSC and NIST advice: length, not symbols; any character, paste allowed
MAX_PASSWORD = 1024  # argon2 would take anything; a cap stops a megabyte "password" costing CPU

HASHER = PasswordHasher()


class StaffError(ValueError):
    """A staff account cannot be made or changed as asked; `message` is plain English, `field` the field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class LoginResult:
    """Who logged in, or why not: `wait` is how long before the next attempt will be heard."""

    user: StaffUser | None
    wait: timedelta = timedelta(0)

    @property
    def ok(self) -> bool:
        return self.user is not None

    @property
    def wait_seconds(self) -> int:
        return math.ceil(self.wait.total_seconds())


def normalise_email(email: str) -> str:
    return clean_text(email).casefold()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise StaffError(N_("The password must be 12 characters or more"), field="password")
    if len(password) > MAX_PASSWORD:
        raise StaffError(N_("The password must be 1,024 characters or fewer"), field="password")


def create_staff(session: Session, *, email: str, name: str, role: str, password: str, now: datetime,
                 created_by: int | None = None, hasher: PasswordHasher = HASHER) -> StaffUser:
    """A new active account (`flask staff add`); StaffError for a bad field or an email already used."""
    email = normalise_email(email)
    name = clean_text(name)
    if not is_email(email):
        raise StaffError(N_("Enter an email address in the correct format, like name@example.com"), field="email")
    if not name or len(name) > SIZES["name"]:
        raise StaffError(N_("Enter a name of 120 characters or fewer"), field="name")
    if role not in ROLES:
        raise StaffError(N_("Choose a role: customer_service, content or admin"), field="role")
    check_password_rules(password)
    if session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is not None:
        raise StaffError(N_("There is already an account with that email address"), field="email")
    user = StaffUser(email=email, name=name, role=role, password_hash=hasher.hash(password), active=True,
                     failed_logins=0, created_at=now)
    session.add(user)
    session.flush()
    audit(session, staff_id=created_by, action="staff_create", target=f"staff:{user.id}", now=now,
          detail=f"role={role}")
    return user


def wait_after(failures: int) -> timedelta:
    """How long after the last failure the next attempt must wait."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 20)  # 2**20 * 30 s is long past the cap; more would overflow
    return min(FIRST_WAIT * 2**doublings, LONGEST_WAIT)


def authenticate(session: Session, email: str, password: str, now: datetime, *,
                 hasher: PasswordHasher = HASHER) -> LoginResult:
    """Check a login; counts failures, enforces the wait, and rehashes when the parameters changed."""
    user = session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)).with_for_update())
    if len(password) > MAX_PASSWORD:
        password = password[:MAX_PASSWORD]  # still checked (and still wrong): never hash a megabyte
    if user is None or not user.active:
        _verify(hasher, _dummy_hash(hasher), password)
        return LoginResult(None)
    if user.failed_logins >= FREE_FAILURES and user.last_failed_at is not None:
        ready = user.last_failed_at + wait_after(user.failed_logins)
        if now < ready:
            return LoginResult(None, ready - now)
    if not _verify(hasher, user.password_hash, password):
        user.failed_logins += 1
        user.last_failed_at = now
        audit(session, staff_id=user.id, action="login_failed", target=f"staff:{user.id}", now=now,
              detail=f"failures={user.failed_logins}")
        return LoginResult(None, wait_after(user.failed_logins))
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.failed_logins = 0
    user.last_login_at = now
    audit(session, staff_id=user.id, action="login", target=f"staff:{user.id}", now=now)
    return LoginResult(user)


def set_password(session: Session, user_id: int, password: str, now: datetime, *, changed_by: int | None,
                 hasher: PasswordHasher = HASHER) -> None:
    check_password_rules(password)
    user = _get(session, user_id)
    user.password_hash = hasher.hash(password)
    user.failed_logins = 0
    audit(session, staff_id=changed_by, action="staff_password", target=f"staff:{user.id}", now=now)


def set_active(session: Session, user_id: int, active: bool, now: datetime, *, changed_by: int | None) -> None:
    user = _get(session, user_id)
    user.active = active
    audit(session, staff_id=changed_by, action="staff_activate" if active else "staff_deactivate",
          target=f"staff:{user.id}", now=now)


def staff_user(session: Session, user_id: int) -> StaffUser | None:
    """The active account behind a session cookie, or None (deactivated accounts are logged out)."""
    user = session.get(StaffUser, user_id)
    return user if user is not None and user.active else None


def list_staff(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(func.lower(StaffUser.name))))


def _get(session: Session, user_id: int) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None:
        raise StaffError(N_("There is no such staff account"))
    return user


def _verify(hasher: PasswordHasher, hashed: str, password: str) -> bool:
    try:
        return hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY: dict[tuple[int, int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash with the hasher's own cost, made once, so an unknown email takes as long as a known one."""
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash("not a password anyone has")
    return _DUMMY[key]
