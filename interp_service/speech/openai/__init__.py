"""The OpenAI-style transcription API: routes.py, its errors (errors.py) and response
formats (formats.py)."""
