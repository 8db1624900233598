"""`citykg extract` commands (being written)."""
from kg.cli import app  # noqa: F401
