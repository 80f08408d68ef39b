"""Developer tools: the dataset builder and its curated tables (not part of the installed package)."""
