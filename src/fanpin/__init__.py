"""fanpin: reconcile disability-assistance data across three agencies."""

__version__ = "0.1.0"
