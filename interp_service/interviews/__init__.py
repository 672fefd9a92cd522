"""Interviews: the record of an interpreted interview and its bilingual export."""
