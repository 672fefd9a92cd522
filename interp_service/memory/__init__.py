"""Translation memory: approved sentence pairs and phrasebook entries, the review queue of
submitted translations, and exact and fuzzy lookup over the approved pairs."""
