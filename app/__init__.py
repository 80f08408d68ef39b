"""The application: settings, CLI, read-side store, services, API, visualisation."""
