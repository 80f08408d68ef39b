"""Visual browsing: server-rendered pages with interactive networks (design.md §7)."""
