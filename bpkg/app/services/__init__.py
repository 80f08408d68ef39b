"""Thin services between the API and the store port: grouping, filters, roll-ups, tables and exports."""
