"""Article -> Claim: the topic's lexicon applied to the parsed sentences, with sources, hedges and identities."""
