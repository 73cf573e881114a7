"""Money splits exact to the fen (records-referral-contracts.md "Money rules in the seeds": "Splits are exact
to the fen and always add up to the total (largest remainder)"). Pure: Decimal in, Decimal out."""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

FEN = Decimal("0.01")


def split_by_shares(total, shares) -> list[Decimal]:
    """Split ``total`` (yuan) in proportion to ``shares`` (non-negative numbers, not all zero), each part a
    whole number of fen, the parts adding up to ``total`` exactly. Leftover fen go to the parts with the
    largest remainders (ties: the earlier share)."""
    total = Decimal(str(total)).quantize(FEN)
    weights = [Decimal(str(s)) for s in shares]
    if not weights:
        return []
    if any(w < 0 for w in weights):
        raise ValueError("negative share")
    whole = sum(weights)
    if whole == 0:
        raise ValueError("all shares are zero")
    sign = -1 if total < 0 else 1
    fen_total = int(abs(total) / FEN)
    exact = [Decimal(fen_total) * w / whole for w in weights]
    floors = [int(x.to_integral_value(rounding=ROUND_DOWN)) for x in exact]
    left = fen_total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * Decimal(n) * FEN for n in floors]
