"""Glossary exchange: import and export (importing.py), TBX (tbx*.py), CSV/TSV
(tabular*.py, table_columns.py), encoding detection and per-value checks of import files."""
