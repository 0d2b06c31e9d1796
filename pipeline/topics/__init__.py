"""Which topics an article is about, from the topic files shipped in data/ and those a config adds."""
