"""The interfaces the edges implement (the store, the sinks, the HTTP fetcher) and the data types they exchange."""
