"""Documents a clerk uploads for a case and gets back with suggested renderings."""
