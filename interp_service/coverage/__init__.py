"""Coverage of the team's approved language data: the worklist for Miao-speaking staff, the
coverage report per variety, and the export of consented speech data."""
