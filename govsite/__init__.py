"""govsite: compliance engine for Chinese government portals built with Pelican."""

__version__ = "0.1.0"
