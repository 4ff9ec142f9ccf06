"""Turning published entries into files: feeds (RSS, Atom, JSON Feed) and HTML pages."""
