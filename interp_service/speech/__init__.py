"""Speech: interview recordings (intake, voice activity detection, Mandarin recognition
behind a language gate), the human transcription queue for Miao speech, the live
microphone and the OpenAI-style transcription API."""
