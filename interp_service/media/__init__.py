"""Media below the domains: decoding uploaded audio (audio.py), used by speech, the
glossary's term recordings, translation memory recordings and the speech export."""
