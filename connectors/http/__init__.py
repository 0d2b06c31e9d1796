"""The one HTTP client: URLs, the address guard, the connection pool, redirects, decoding, limits, the deadline."""
