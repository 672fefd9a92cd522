"""The live microphone: the WebSocket (routes.py), who may open it (access.py), the
incoming PCM stream (audio.py) and cutting it into utterances (utterances.py)."""
