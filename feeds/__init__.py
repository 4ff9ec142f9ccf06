"""feeds: RSS, Atom and JSON feeds from dumps of Indonesian news pages."""

__version__ = "0.1.0"
