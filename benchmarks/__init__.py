"""Reproducible measurements that print figures and ratios side by side (not timed tests)."""
