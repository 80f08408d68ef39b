"""bpkg: the Budapest Process traceability knowledge graph, as one import package.

``bpkg.graph_schema`` (the model), ``bpkg.loaders`` (reading, validating and loading datasets) and
``bpkg.app`` (the store, services, API, pages and the ``bpkg`` command), layered in that order."""
