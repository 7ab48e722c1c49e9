"""Errors of the local SageMaker stand-in, shaped like the API's so callers can name them."""

from __future__ import annotations

from legacylift.errors import LegacyLiftError


class SageMakerApiError(LegacyLiftError):
    """An error the SageMaker API would return, e.g. `ValidationException`.

    `code` is the AWS error code; Step Functions names it `SageMaker.<code>` in a Task failure.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def validation_error(message: str) -> SageMakerApiError:
    """A `ValidationException`, the error AWS returns for a malformed request."""
    return SageMakerApiError("ValidationException", message)
