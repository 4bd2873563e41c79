"""The behaviour simulator and its evaluation harness (``python eval/run.py``)."""
