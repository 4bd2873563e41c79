"""The phrases the poisoning checks look for, as data. Each names the reason a person reads.

Kept narrow on purpose: emphatic but legitimate descriptions ("CRITICAL: always pass the full
path", "IMPORTANT: overwrites without asking") exist in real servers and must not match. What
matches is text that addresses the model about the conversation itself: overriding earlier
instructions, hiding things from the user, pseudo-markup blocks, harvesting context.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# (reason, pattern) pairs: instruction-like text aimed at the model.
INSTRUCTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "tells the model to override its earlier instructions",
        re.compile(
            r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?"
            r"(?:the\s+|your\s+|these\s+)?(?:previous|prior|above|earlier|preceding|system|"
            r"original|other)\s+(?:instructions?|prompts?|messages?|rules|directives|guidelines)",
            _I,
        ),
    ),
    (
        "tells the model to keep something from the user",
        re.compile(
            r"\b(?:do\s+not|don'?t|never|must\s+not|should\s+not)\s+(?:tell|inform|notify|alert|"
            r"reveal\s+(?:this|it)\s+to|disclose\s+(?:this|it)\s+to|mention\s+(?:this|it)\s+to|"
            r"let)\s+(?:the\s+)?users?\b"
            r"|\bwithout\s+(?:telling|informing|notifying|alerting|asking)\s+(?:the\s+)?users?\b"
            r"|\b(?:hide|conceal|keep)\s+(?:this|it|that)\b[^.\n]{0,30}\bfrom\s+(?:the\s+)?users?\b"
            r"|\bthe\s+users?\s+(?:must|should|need|does|do)\s*(?:not|n't)\s+(?:know|see|notice|"
            r"be\s+(?:told|informed|aware))"
            r"|\b(?:do\s+not|don'?t|never)\s+(?:mention|reveal|disclose)\s+(?:that|this|these)\s+"
            r"(?:you|instructions?|steps?)\b",
            _I,
        ),
    ),
    (
        "carries a pseudo-markup block addressed to the model",
        re.compile(
            r"<\s*/?\s*(?:important|system|instructions?|secret|hidden|admin|override|"
            r"system[_-]?prompt|assistant|user[_-]?instructions?)\b[^<>]{0,40}>"
            r"|\[\s*/?\s*(?:system|inst|important)\s*\]|<\|(?:im_start|system|assistant)\|>",
            _I,
        ),
    ),
    (
        "tries to re-assign the model's role",
        re.compile(
            r"\byou\s+are\s+now\s+(?:a|an|in)\b|\bnew\s+(?:system\s+)?instructions?\s*:", _I
        ),
    ),
    (
        "asks the model to hand over conversation context",
        re.compile(
            r"\b(?:reveal|print|output|include|send|repeat|share|pass|append|attach|copy)\b"
            r"[^.\n]{0,40}\b(?:system\s+prompt|conversation\s+history|chat\s+history|"
            r"previous\s+messages|entire\s+conversation|full\s+conversation)",
            _I,
        ),
    ),
)

# Paths of secrets: keys, credentials, tokens and the agent's own MCP configuration.
SECRET_PATH = re.compile(
    r"(?<![\w.])(?:~|\$HOME|%USERPROFILE%)?[/\\]?\.ssh\b(?![/\\](?:config|known_hosts)\b)"
    r"(?:[/\\][\w.-]*)?"
    r"|\bid_(?:rsa|dsa|ecdsa|ed25519)\b"
    r"|(?<![\w.$-])\.env(?:\.[\w-]+)?(?![\w-])"
    r"|\.aws[/\\]credentials\b|\.git-credentials\b|\.netrc\b|\.npmrc\b|\.pypirc\b|\.pgpass\b"
    r"|\.docker[/\\]config\.json\b|\.kube[/\\]config\b|\.gnupg\b|\.vault-token\b"
    r"|\.config[/\\]gcloud\b|\.cursor[/\\]mcp\.json\b|claude_desktop_config\.json\b"
    r"|/etc/shadow\b|\.(?:bash|zsh)_history\b|\bwallet\.dat\b",
    _I,
)

# A tool name written as an identifier and followed by "tool" or "function".
TOOL_REFERENCE = re.compile(
    r"[`'\"]?\b([A-Za-z][A-Za-z0-9]*(?:[_.-][A-Za-z0-9]+)+|[a-z]+[A-Z][A-Za-z0-9]*)\b[`'\"]?"
    r"\s+(?:tool|function)\b"
)
# Words that make a sentence an instruction about how something else must behave.
MODAL = re.compile(
    r"\b(?:must|should|shall|always|never|instead|ensure|make\s+sure|required|only)\b", _I
)
OTHER_TOOLS = re.compile(
    r"\b(?:all|every|any)\s+other\s+(?:mcp\s+)?(?:tools?|servers?|functions?)\b"
    r"|\b(?:the\s+)?other\s+(?:mcp\s+)?servers?\b",
    _I,
)
SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")

# Parameters whose name or description asks for context the tool has no need of.
EXFIL_NAMES = frozenset(
    {
        "sidenote",
        "conversationhistory",
        "chathistory",
        "fullconversation",
        "entireconversation",
        "previousmessages",
        "allmessages",
        "hiddencontext",
        "sshkey",
        "privatekey",
        "idrsa",
        "mcpconfig",
        "envfile",
        "dotenv",
    }
)
EXFIL_DESCRIPTION = re.compile(
    r"\b(?:entire|full|whole|complete|all\s+of\s+the)\s+(?:conversation|chat|context|"
    r"history|system\s+prompt)\b"
    r"|\b(?:previous|prior|earlier)\s+(?:messages|conversation|instructions)\b"
    r"|\b(?:your|the\s+current|the\s+assistant'?s|the\s+model'?s|the\s+agent'?s)\s+"
    r"(?:system\s+prompt|instructions)\b"
    r"|\bcontents?\s+of\s+[`'\"]?(?:~|/|\.)[\w./-]+"
    r"|\b(?:api\s*keys?|passwords?|credentials|secrets?)\s+(?:from|in|of)\s+(?:the\s+)?"
    r"(?:environment|env|conversation|context)\b",
    _I,
)
