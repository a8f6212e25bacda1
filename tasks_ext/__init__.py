"""Task modules collected into tasks.py's root namespace (one module per area)."""
