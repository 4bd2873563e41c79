"""Runtime: the in-process hook and the MCP SDK integration (standard library only).

Everything under ``scanner.runtime`` loads inside an agent's process, so it imports nothing but
the standard library (a test reads the imports). The hook records events on the caller's thread
with one queue append; a background thread batches them to a local spool or a collector.
"""
