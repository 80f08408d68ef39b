"""The REST API (FastAPI): one router per resource over the services and the store port."""
