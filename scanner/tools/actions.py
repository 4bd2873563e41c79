"""Action classes from annotations and names: read, write, write_destructive, network, exec.

Annotations are hints from the server, not promises: the class is the riskier of what the
annotations say and what the name says, so a tool named ``delete_all`` that claims
``readOnlyHint`` is still write_destructive. ``unknown`` only when neither says anything.
"""

from __future__ import annotations

import re
from typing import Any

from scanner.tools.model import ActionClass

_ORDER = (
    ActionClass.READ,
    ActionClass.NETWORK,
    ActionClass.WRITE,
    ActionClass.WRITE_DESTRUCTIVE,
    ActionClass.EXEC,
)
_EXEC = {"exec", "execute", "shell", "bash", "powershell", "eval", "terminal", "subprocess"}
_EXEC |= {"spawn", "cmd", "sh", "zsh", "repl"}
_RUNNABLE = {"command", "commands", "code", "script", "process", "program", "binary", "python"}
_DESTRUCTIVE = {"delete", "remove", "rm", "drop", "destroy", "purge", "truncate", "kill", "wipe"}
_DESTRUCTIVE |= {"erase", "reset", "overwrite", "terminate", "revoke", "uninstall", "unlink"}
_WRITE = {"write", "create", "update", "set", "add", "put", "post", "insert", "edit", "move"}
_WRITE |= {"rename", "upload", "send", "commit", "push", "merge", "modify", "save", "append"}
_WRITE |= {"patch", "publish", "deploy", "install", "replace", "approve", "assign", "close"}
_WRITE |= {"fork", "star", "comment", "reply", "invite", "schedule", "store", "mkdir", "copy"}
_NETWORK = {"fetch", "http", "https", "browse", "web", "url", "download", "request", "curl"}
_NETWORK |= {"scrape", "crawl", "navigate", "webhook", "api"}
_READ = {"get", "list", "read", "search", "find", "query", "describe", "show", "view", "lookup"}
_READ |= {"count", "check", "status", "info", "inspect", "cat", "ls", "stat", "tree", "diff"}
_READ |= {"explain", "validate", "resolve", "compute", "calculate", "convert", "parse", "echo"}
_READ |= {"ping", "health", "whoami", "log", "logs", "history", "open"}
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def name_tokens(name: str) -> list[str]:
    """``runShellCommand`` / ``run-shell_command`` -> ``["run", "shell", "command"]``."""
    return [w.lower() for w in _WORD.findall(name)]


def _from_name(name: str) -> ActionClass:
    words = name_tokens(name)
    bag = set(words)
    if bag & _EXEC or ("run" in bag and bag & _RUNNABLE):
        return ActionClass.EXEC
    if bag & _DESTRUCTIVE:
        return ActionClass.WRITE_DESTRUCTIVE
    if bag & _WRITE:
        return ActionClass.WRITE
    if bag & _NETWORK:
        return ActionClass.NETWORK
    if bag & _READ:
        return ActionClass.READ
    return ActionClass.UNKNOWN


def _from_annotations(annotations: Any) -> ActionClass:
    if not isinstance(annotations, dict) or not any(
        isinstance(annotations.get(k), bool)
        for k in ("readOnlyHint", "destructiveHint", "openWorldHint")
    ):
        return ActionClass.UNKNOWN  # no hint given: defaults alone say nothing about this tool
    if annotations.get("readOnlyHint") is True:
        return ActionClass.NETWORK if annotations.get("openWorldHint") is True else ActionClass.READ
    if annotations.get("destructiveHint") is False:
        return ActionClass.WRITE
    return ActionClass.WRITE_DESTRUCTIVE


def action_class(name: str, annotations: Any) -> ActionClass:
    """The riskier of the class the annotations give and the class the name gives."""
    found = [c for c in (_from_annotations(annotations), _from_name(name)) if c in _ORDER]
    if not found:
        return ActionClass.UNKNOWN
    return max(found, key=_ORDER.index)
