"""The one exception type user-facing code raises: it names the problem and the fix."""


class LegacyLiftError(Exception):
    """An error a user can act on. The message says what is wrong and how to fix it."""
