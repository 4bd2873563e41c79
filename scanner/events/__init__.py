"""Runtime events as chainwatch stores them: read from untrusted files, validated, redacted."""
