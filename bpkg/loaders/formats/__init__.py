"""Readers of files in other ecosystems' formats (RDF of the product's vocabulary, IATI 2.03 activity XML)."""
