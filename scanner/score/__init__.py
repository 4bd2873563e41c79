"""The supply-chain trust score: factors, caps, history. The values are in ``model.py``."""
