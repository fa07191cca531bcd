"""The one base for answers that are not results: a plain message, a code and an HTTP status.

Domain packages raise these (a postcode outside the area, audio that took too
long); the web layer turns any of them into a page, an htmx fragment or JSON
in one place (`web/errors.py`). Messages are templates marked with ``N_`` plus
parameters, so the web layer can translate the template into the reader's
language before filling it in. ``detail`` is for logs and the command line.
"""

from __future__ import annotations

from typing import Any

from .text import N_


class TownhallError(Exception):
    """Something we can explain to a resident, with the status the web layer should answer with."""

    status = 400
    code = "error"
    template = N_("Sorry, something went wrong. Please try again.")

    def __init__(self, detail: str | None = None, *, template: str | None = None,
                 retry_after: int | None = None, **params: Any) -> None:
        if template is not None:
            self.template = template
        self.params = params
        self.retry_after = retry_after
        self.detail = detail or self.message
        super().__init__(self.detail)

    # Words the web layer fills in for every message, from the content (the council's name, a postcode
    # of its area); English stand-ins keep `message` readable in logs and on the command line.
    SITE_WORDS = {"council": "the council", "example": "SW1A 1AA"}

    @property
    def message(self) -> str:
        """The reader's message in English (the web layer translates `template` instead)."""
        return self.template % {**self.SITE_WORDS, **self.params}

    def as_dict(self) -> dict[str, Any]:
        """The error as the API's JSON shows it (the web layer replaces `message` with its translation)."""
        return {"code": self.code, "status": self.status, "message": self.message}
