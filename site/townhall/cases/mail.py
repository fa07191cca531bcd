"""Emails: what a message is, how one is built from an outbox row, and the two ways it leaves.

* `SmtpTransport.from_url(TOWNHALL_SMTP_URL)`: a real mail server, through smtplib.
  ``smtp://host:25`` (plain), ``smtp+starttls://host:587`` (upgraded to TLS),
  ``smtps://host:465`` (TLS from the start); ``user:password@`` optional, with
  URL escapes (``%40`` for ``@``) in either.
* `FileTransport(folder)`: the demo's "mail server" writes each message to
  ``instance/outbox/<message-id>.eml``, so anyone can open what a resident
  would have received. Files appear whole (temporary file, then rename), and a
  re-send overwrites the same file rather than adding a second.

A message is plain text plus a simple HTML alternative; its Message-ID is made
when the email is queued and stored with it, so a message sent again after a
crash carries the same id and a mail system (or a person) can see it is the
same email.

`Composer` is how the wording gets in: the web layer passes one that renders its
email templates in the resident's language; `plain_composer` here is a plain
English stand-in for tests and for use before the templates exist.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from .models import Case, OutboxMessage

DEFAULT_SENDER = "Townhall <no-reply@townhall.invalid>"  # the site passes its own (TOWNHALL_MAIL_FROM)

# Kinds of email the case operations send; each maps to a template in the web layer.
ACKNOWLEDGEMENT = "acknowledgement"
ANSWER = "answer"
DELAY = "delay"
CLOSURE = "closure"
EMAIL_KINDS = (ACKNOWLEDGEMENT, ANSWER, DELAY, CLOSURE)


@dataclass(frozen=True)
class ComposedEmail:
    """The words of one email: a subject, the plain text, and optionally the HTML version."""

    subject: str
    text: str
    html: str | None = None


class Composer(Protocol):
    """Writes the email of `kind` about `case` (in `case.language`); None means "send nothing"."""

    def __call__(self, kind: str, case: Case, context: Mapping[str, Any]) -> ComposedEmail | None: ...


def plain_composer(kind: str, case: Case, context: Mapping[str, Any]) -> ComposedEmail | None:
    """Plain English emails with the facts that matter: a stand-in until the web layer's templates."""
    greeting = f"Dear {case.name}," if case.name else "Hello,"
    what = {"complaint": "complaint", "compliment": "compliment", "format_request": "request"}.get(case.kind,
                                                                                                   "enquiry")
    due = case.due_answer_by
    lines: list[str]
    if kind == ACKNOWLEDGEMENT:
        subject = f"We have your {what}: {case.reference}"
        lines = [f"Thank you for contacting us. Your reference is {case.reference}."]
        if due:
            lines.append(f"We will reply by {due:%A %-d %B %Y}.")
    elif kind == ANSWER:
        subject = f"Our answer to your {what}: {case.reference}"
        lines = [case.answer_text or ""]
    elif kind == DELAY:
        subject = f"We need more time for your {what}: {case.reference}"
        lines = [f"We are sorry: we cannot reply by the date we gave. We will reply by {due:%A %-d %B %Y}.",
                 f"Why: {case.revised_reason}"]
    elif kind == CLOSURE:
        subject = f"We have closed your {what}: {case.reference}"
        lines = ["Thank you for getting in touch."]
    else:
        return None
    text = "\n\n".join([greeting, *lines, f"Reference: {case.reference}"]) + "\n"
    return ComposedEmail(subject, text)


def build_message(row: OutboxMessage, sender: str = DEFAULT_SENDER) -> EmailMessage:
    """The RFC 5322 message for an outbox row (the same bytes every time it is built)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies should not answer it
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
        # A boundary made from the message itself, not random: a re-send is byte-for-byte the same email.
        message.set_boundary("=_" + hashlib.sha256(f"{row.message_id}\n{row.text_body}".encode()).hexdigest()[:40])
    message["Content-Language"] = row.language  # after set_content, which clears Content-* headers
    return message


class Transport(Protocol):
    """Hands messages to whatever delivers them; raises (OSError, SMTPException) when it cannot."""

    def __enter__(self) -> Transport: ...

    def __exit__(self, *exc: object) -> None: ...

    def send(self, message: EmailMessage) -> None: ...


SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("ssl", 465)}


@dataclass
class SmtpTransport:
    """A mail server reached with smtplib; one connection per batch, opened when first needed."""

    host: str
    port: int
    security: str = "plain"  # plain | starttls | ssl
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    _smtp: smtplib.SMTP | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_url(cls, url: str, timeout: float = 30.0) -> SmtpTransport:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise ValueError(f"TOWNHALL_SMTP_URL must start with {', '.join(s + '://' for s in SCHEMES)}; "
                             f"it starts with {parts.scheme or 'nothing'}")
        if not parts.hostname:
            raise ValueError("TOWNHALL_SMTP_URL needs a host name, like smtp://mail.example:25")
        security, default_port = SCHEMES[parts.scheme]
        try:
            port = parts.port or default_port
        except ValueError:
            raise ValueError("TOWNHALL_SMTP_URL has a port that is not a number from 1 to 65535") from None
        return cls(host=parts.hostname, port=port, security=security,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None, timeout=timeout)

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except BaseException:
            self.close()  # the connection's state is unknown: the next message starts afresh
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp


class FileTransport:
    """Writes each message as ``<folder>/<message-id>.eml`` (the demo's outbox folder)."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def __enter__(self) -> FileTransport:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def path_for(self, message_id: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in message_id.strip("<>"))
        return self.folder / f"{safe}.eml"

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path_for(" ".join(str(message["Message-ID"]).split()))
        data = message.as_bytes(policy=SMTP)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".writing-", suffix=".eml")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def transport_from_settings(smtp_url: str | None, outbox_folder: Path | str) -> Transport:
    """The SMTP server when TOWNHALL_SMTP_URL is set, else ``.eml`` files in the outbox folder."""
    return SmtpTransport.from_url(smtp_url) if smtp_url else FileTransport(outbox_folder)
