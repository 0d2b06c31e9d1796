"""Immutable records that flow between stages (FeedEntry -> Page -> Article -> Claim -> Judgement -> Alert, and Drop); no I/O."""
