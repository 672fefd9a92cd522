"""The model registry: every trained model folder as a version with its scores, lineage and
status, the held-out promotion gate, promotion and roll-back."""
