"""Text fields that are stored trimmed, with their length limits on the text as sent.

A model field ``Annotated[str, StringConstraints(min_length=1, max_length=N),
AfterValidator(not_blank_trimmed)]`` holds what its OpenAPI schema says: at most ``N``
characters as sent (pydantic's ``strip_whitespace`` would check the limit after trimming, so a
value longer than the schema allows was accepted whenever its surplus was white space, U+001D
included), then stored without the surrounding white space, and refused when nothing is left.
"""

from __future__ import annotations


def not_blank_trimmed(value: str) -> str:
    """``value`` without its surrounding white space; only white space is refused."""
    trimmed = value.strip()
    if not trimmed:
        raise ValueError("must not be blank")
    return trimmed
