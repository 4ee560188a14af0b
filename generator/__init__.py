"""ksite: programme knowledge to a static site."""

__version__ = "0.1.0"
