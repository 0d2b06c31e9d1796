"""FeedEntry -> Page -> Article: the feeds' schedule, extraction and its child process, language, fingerprints."""
