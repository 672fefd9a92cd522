"""Translation pipeline: text normalisation, sentence splitting, language identification."""
