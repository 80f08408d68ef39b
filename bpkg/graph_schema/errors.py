"""The root of the project's domain exceptions (the other layers subclass it)."""


class BpkgError(Exception):
    """Base of every error this project raises on purpose."""
