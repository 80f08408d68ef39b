"""The graph in the formats of other ecosystems: RDF (SKOS, PROV-O) with SHACL shapes, and IATI 2.03."""
