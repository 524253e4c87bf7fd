"""A trimmed text field: the limits hold for the text as sent, the stored text is trimmed."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import AfterValidator, BaseModel, StringConstraints, ValidationError

from mentorship_runtime.trimmed import not_blank_trimmed


class Named(BaseModel):
    name: Annotated[
        str, StringConstraints(min_length=1, max_length=10), AfterValidator(not_blank_trimmed)
    ]


def test_the_text_is_stored_trimmed() -> None:
    assert Named(name="  Pilot \t").name == "Pilot"


def test_a_text_longer_than_the_limit_is_refused_even_when_trimming_would_shorten_it() -> None:
    with pytest.raises(ValidationError, match="at most 10 characters"):
        Named(name="\r\t\x1d" + "*" * 9)


@pytest.mark.parametrize("blank", [" ", "\t\r\n", "\x1d"])
def test_a_text_of_white_space_only_is_refused(blank: str) -> None:
    with pytest.raises(ValidationError, match="must not be blank"):
        Named(name=blank)


def test_the_schema_states_the_limits_on_the_text_as_sent() -> None:
    schema = Named.model_json_schema()["properties"]["name"]
    assert (schema["minLength"], schema["maxLength"]) == (1, 10)
