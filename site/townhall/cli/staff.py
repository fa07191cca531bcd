"""`flask staff ...`: staff accounts for the staff area (/staff).

    flask staff add EMAIL --role customer_service|content|admin [--name NAME]
        asks for the password twice (hidden); for scripts, --password-stdin reads it
        from standard input, or --password-env VAR from an environment variable.
    flask staff list
    flask staff password EMAIL      set a new password (same ways to give it)
    flask staff deactivate EMAIL    log them out and refuse their logins (reactivate to undo)
"""

from __future__ import annotations

import os
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from .. import engines
from ..cases import StaffError, create_staff, set_active, set_password
from ..cases.models import ROLES, StaffUser, utcnow
from ..cases.staff import list_staff, normalise_email

group = AppGroup("staff", help="Add and look after staff accounts for the staff area.")


def _password(from_stdin: bool, from_env: str | None) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if from_env:
        value = os.environ.get(from_env)
        if not value:
            raise click.UsageError(f"the environment variable {from_env} is not set")
        return value
    return click.prompt("Password (12 characters or more)", hide_input=True, confirmation_prompt=True)


def _fail(error: StaffError) -> None:
    click.echo(f"Could not do that: {error.message}", err=True)
    sys.exit(1)


@group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What they may do.")
@click.option("--name", help="Their name as colleagues see it (default: the part of the email before @).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@click.option("--password-env", metavar="VAR", help="Read the password from this environment variable.")
def add(email: str, role: str, name: str | None, password_stdin: bool, password_env: str | None) -> None:
    """Create an account that can log in at /staff."""
    password = _password(password_stdin, password_env)
    name = name or email.split("@", 1)[0]
    try:
        user = engines.database().transaction(lambda session: create_staff(
            session, email=email, name=name, role=role, password=password, now=utcnow()))
    except StaffError as error:
        _fail(error)
    click.echo(f"Added {user.email} ({role}). They can log in at /staff/login.")


@group.command("list")
def list_accounts() -> None:
    """Every account, its role, and whether it can log in."""
    with engines.database().read_session() as session:
        users = list_staff(session)
    if not users:
        click.echo("No staff accounts yet. Add one with: flask staff add EMAIL --role admin")
    for user in users:
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.email}  {user.name}  {user.role}  {state}")


def _user_id(session, email: str) -> int:
    user_id = session.scalar(select(StaffUser.id).where(StaffUser.email == normalise_email(email)))
    if user_id is None:
        raise StaffError(f"there is no staff account for {email}")
    return user_id


@group.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@click.option("--password-env", metavar="VAR", help="Read the password from this environment variable.")
def password(email: str, password_stdin: bool, password_env: str | None) -> None:
    """Set a new password (and clear any wait after wrong passwords)."""
    new = _password(password_stdin, password_env)
    try:
        engines.database().transaction(
            lambda session: set_password(session, _user_id(session, email), new, utcnow(), changed_by=None))
    except StaffError as error:
        _fail(error)
    click.echo(f"New password set for {email}.")


@group.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Refuse this account's logins and end its sessions at their next request."""
    _activate(email, False)


@group.command("reactivate")
@click.argument("email")
def reactivate(email: str) -> None:
    """Let a deactivated account log in again."""
    _activate(email, True)


def _activate(email: str, active: bool) -> None:
    try:
        engines.database().transaction(
            lambda session: set_active(session, _user_id(session, email), active, utcnow(), changed_by=None))
    except StaffError as error:
        _fail(error)
    click.echo(f"{email} is now {'active' if active else 'deactivated'}.")
