"""Where alerts go: the JSONL file, the console and Standard Webhooks."""
