"""Feeds from the network: polling one feed, fetching one page, and parsing RSS and Atom with feedparser."""
