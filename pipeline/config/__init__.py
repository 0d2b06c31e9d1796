"""The config's schema and every default: the one room every other reads and none writes."""
