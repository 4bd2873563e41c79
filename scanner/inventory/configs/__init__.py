"""MCP client configs: where each client keeps them, their formats and shapes, and the reader."""
