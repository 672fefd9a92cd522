"""Glossary search: term recognition in sentences (recognition.py over automaton.py),
ranked lookup (lookup.py), Chinese folding and pinyin keys (folding.py), the shared
records (match_records.py, matching.py) and the index over the current release
(searching.py)."""
