"""French text handling: folding, lemmas, numbers and dates, in language-neutral code."""
