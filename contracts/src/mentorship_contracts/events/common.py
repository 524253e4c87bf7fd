"""Field types shared by several payloads."""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Text = Annotated[str, StringConstraints(max_length=4000)]
Confidence = Annotated[int, Field(ge=1, le=5, description="Self-confidence, 1 (low) to 5 (high).")]
Role = Literal["mentor", "mentee"]
Language = Literal["en", "fr"]
