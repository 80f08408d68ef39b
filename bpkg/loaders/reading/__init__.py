"""Bounded readers for dataset files, one module per format: ``bounded`` (size, bytes, UTF-8 text),
``yaml_safe`` (the hardened YAML loader), ``tables`` (CSV and XLSX tables, via ``csv_rows`` and ``xlsx_rows``)
and ``cells`` (what a table's cell holds).

Every reader is bounded by ``Limits`` (file size, rows, cells, nesting), so that a hostile file costs at most
what the limits allow, and ends in problems, never in an exception. Files are streamed, never held whole.
"""
