"""Immutable records that flow between stages: FeedEntry -> Page -> Article -> Claim -> Judgement -> Alert, and Drop.

No I/O here, and nothing from another room.
"""
