"""The validator's parts, by concern: ``columns`` (what files may hold), ``state`` (what is kept while reading),
``manifest`` and ``files`` (reading), ``records`` (one node or link), ``links`` (across files), ``periods`` and
``review`` (warnings). ``bpkg.loaders.dataset`` puts them together in the steps of design.md §5.
"""
