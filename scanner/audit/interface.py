"""The advisory-source interface: one abstract base, its base error and its typed values."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from scanner.errors import ChainwatchError
from scanner.models import Severity


class Ecosystem(StrEnum):
    """Ecosystem names exactly as the OSV schema spells them."""

    PYPI = "PyPI"
    NPM = "npm"


def normalise_name(ecosystem: str, name: str) -> str:
    """The name an advisory index is keyed by: PEP 503 for PyPI, npm names as they are."""
    if ecosystem == Ecosystem.PYPI:
        return _canonical_pypi(name)
    return name


def _canonical_pypi(name: str) -> str:
    """``packaging.utils.canonicalize_name``, step for step (tests/audit pin the equality).

    Written out because importing packaging.utils loads packaging.tags, and with it logging,
    subprocess and platform: a fifth of the audit stage's import time, for one string function.
    """
    value = name.lower().replace("_", "-").replace(".", "-")
    while "--" in value:
        value = value.replace("--", "-")
    return value


class AuditError(ChainwatchError):
    """Base of the audit concern: an advisory source or database could not be used."""


class SourceUnavailable(AuditError):
    """An advisory source did not answer, or answered something we cannot use."""


class OsvDatabaseError(AuditError):
    """The offline OSV database is missing, unreadable, or an import could not complete."""


class AdapterError(AuditError):
    """The installed pip-audit is not the version whose private API the adapter was written for."""


@dataclass(frozen=True, slots=True)
class Package:
    """What is audited: one exact version of one package, in OSV's ecosystem spelling."""

    ecosystem: Ecosystem
    name: str
    version: str

    def __hash__(self) -> int:
        # Without the ecosystem, whose enum hash runs Python code: a check hashes each of its
        # thousands of packages five times. Equal packages still hash alike.
        return hash((self.name, self.version))

    @property
    def key(self) -> str:
        """The normalised name the indexes use."""
        return normalise_name(self.ecosystem, self.name)


@dataclass(frozen=True, slots=True)
class Advisory:
    """One vulnerability or malware record matched to a package (aliases already grouped)."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: Severity
    fixed: tuple[str, ...]  # versions that fix it; empty for malware and for "no fix yet"
    is_malware: bool
    withdrawn: str | None = None  # a withdrawn record never matches; kept for completeness
    severity_source: str = ""  # where the severity came from ("database_specific", "MAL-", ...)

    @property
    def ids(self) -> frozenset[str]:
        """The id and all aliases."""
        return frozenset((self.id, *self.aliases))


@dataclass(frozen=True, slots=True)
class AuditResult:
    """The audit of one package by one source. Clean only when complete and nothing matched."""

    package: Package
    source: str
    advisories: tuple[Advisory, ...] = ()
    complete: bool = True
    reason: str = ""  # why the audit is incomplete
    warnings: tuple[str, ...] = ()  # records skipped as malformed, and the like

    @property
    def clean(self) -> bool:
        """True only for a complete audit that found nothing: no 'clean' from nothing."""
        return self.complete and not self.advisories


def incomplete(packages: Sequence[Package], source: str, reason: str) -> list[AuditResult]:
    """One incomplete result per package, all with the same reason."""
    return [AuditResult(p, source, complete=False, reason=reason) for p in packages]


class AdvisorySource(ABC):
    """A place that says which advisories apply to exact package versions."""

    name: str = "advisory source"

    @abstractmethod
    def audit(self, packages: Sequence[Package]) -> list[AuditResult]:
        """One result per package, in order; a package the source could not answer for is
        returned incomplete with the reason (never as clean)."""
