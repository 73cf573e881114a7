"""Retry back-off for failed jobs: exponential, capped. No Django import."""


def retry_delay_seconds(attempt: int, base: int = 30, cap: int = 3600) -> int:
    """Seconds to wait before attempt ``attempt + 1``: 30 s, 60 s, 120 s, … up to one hour."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    return min(cap, base * 2 ** (attempt - 1))
