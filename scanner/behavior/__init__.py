"""Behaviour: per-agent fingerprints from runtime events, shift detectors, attribution of a shift
to the change event before it, and pact checks. The values it produces are in ``model.py``."""
