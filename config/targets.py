"""Listening targets: what each collector listens to (`[[listen]]` tables in the TOML file)."""

from datetime import timedelta
from typing import Annotated, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from config.durations import parse_duration

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class TargetBase(BaseModel):
    """Keys every target has; unknown keys are an error naming the key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    every: Duration = timedelta(minutes=5)
    enabled: bool = True


class ReplayTarget(TargetBase):
    """JSON Lines files in the replay schema (globs; relative paths are relative to the config file)."""

    platform: Literal["replay"]
    path: list[str] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _one_path_is_a_list(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("path"), str):
            return {**data, "path": [data["path"]]}
        return data


class XTarget(TargetBase):
    """An X recent-search query, or the mentions of one account."""

    platform: Literal["x"]
    query: str | None = None
    mentions_of: str | None = None
    include_retweets: bool = False
    monthly_read_budget: int | None = Field(default=None, ge=0)
    max_pages_per_run: int = Field(default=10, ge=1, le=1000)

    @model_validator(mode="after")
    def _exactly_one_source(self) -> "XTarget":
        if (self.query is None) == (self.mentions_of is None):
            raise ValueError("give exactly one of `query` or `mentions_of`")
        return self


class RedditTarget(TargetBase):
    """A subreddit's new submissions and comments, or a Reddit-wide search."""

    platform: Literal["reddit"]
    subreddit: str | None = None
    query: str | None = None
    include_comments: bool = True
    max_items_per_run: int = Field(default=1000, ge=1, le=100_000)

    @model_validator(mode="after")
    def _exactly_one_source(self) -> "RedditTarget":
        if (self.subreddit is None) == (self.query is None):
            raise ValueError("give exactly one of `subreddit` or `query`")
        return self


Target = Annotated[Union[ReplayTarget, XTarget, RedditTarget], Field(discriminator="platform")]
