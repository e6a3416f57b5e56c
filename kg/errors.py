"""Errors that reach users as one clear line, each with the exit code the CLI uses."""

from __future__ import annotations

from dataclasses import dataclass


class KGError(Exception):
    """Base of every error mechkg reports to a user; never shown with a traceback."""

    exit_code = 1

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class DataError(KGError):
    """The data, ontology or cache cannot be used as it is (exit 1)."""


class OutputError(KGError):
    """The result could not be written: a full disk or device, an I/O error (exit 1)."""


class UsageError(KGError):
    """The user's request cannot be understood: unknown name, bad query, bad option (exit 2)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation finding, located at file:line."""

    where: str
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ValidationError(KGError):
    """The dataset has problems; carries all of them so that each is reported once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the data")
        self.problems = problems
