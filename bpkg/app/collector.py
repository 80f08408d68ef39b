"""Python's cyclic garbage collector paused while long-lived answers are built: the one pause the loaders keep
(``bpkg.loaders.collector``), shared by the validation of a dataset, the services' cache and the derivation; and
what a memory store builds on first need moved out of its reach once built (``lasting``)."""

from __future__ import annotations

from bpkg.loaders.collector import cycles_left_alone, lasting

__all__ = ["cycles_left_alone", "lasting"]
