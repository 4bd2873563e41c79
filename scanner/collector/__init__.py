"""The collector (`chainwatch serve`): batched event ingest over HTTP, OTLP traces, read endpoints.

Only ``tokens`` is light; ``app`` and ``server`` import FastAPI and uvicorn (the
``chainwatch[collector]`` extra) and load only when the collector runs.
"""
