"""Miao interpreting support service: case register, glossary, translation with receipts."""

__version__ = "0.1.0"
