"""What the process needs of its host: the allocator's settings, the metrics endpoint, Flink's job server."""
