"""The one error type scoring raises for input a user can fix (a bad weight, an unknown
criterion, a malformed criteria file); the CLI and the pages show its message as it is."""


class ScoringError(ValueError):
    """Input the scoring engine cannot use, with a message saying what, where and how to fix."""
