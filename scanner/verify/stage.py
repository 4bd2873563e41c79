"""The verify stage of a scan: warm verdicts where they still hold, the full path for the rest.

Light to import: the full path (``scanner.verify.fleet``: sigstore, httpx, the registry parsers)
loads only when some component has no warm verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from attestations.cache import load_key
from attestations.rootcheck import check_trusted_root, default_root_path
from scanner.errors import ConfigError
from scanner.models import Component, Finding
from scanner.registry.config import RegistryConfig
from scanner.registry.select import RegistrySelector
from scanner.registry.uses import RegistryUse, merge_uses, registry_uses_many
from scanner.store.files import private_dir, private_file
from scanner.verdict import Verdict
from scanner.verify.warm import FILE_NAME as WARM_FILE
from scanner.verify.warm import WarmVerdicts, run_context

if TYPE_CHECKING:
    from scanner.scan import ScanOptions

Progress = Callable[[int, int], None]
Named = tuple[str, str, str]  # (ecosystem, name, purl): all a typosquat finding depends on


def default_cache_dir() -> Path:
    """The user cache folder for HTTP answers and verification results."""
    return Path(platformdirs.user_cache_dir("chainwatch", appauthor=False))


def default_cache_key() -> Path:
    """The key that authenticates cached verification results: in the user data folder."""
    return Path(platformdirs.user_data_dir("chainwatch", appauthor=False)) / "cache.key"


def verify_stage(
    components: list[Component], options: ScanOptions, progress: Progress | None
) -> tuple[dict[str, Verdict], tuple[RegistryUse, ...], dict[Named, Finding | None]]:
    """Warm verdicts where they still hold (``scanner.verify.warm``), the full path for the rest.

    Also the typosquat findings that came with warm verdicts, by (ecosystem, name, purl).
    """
    cache_dir = options.cache_dir or default_cache_dir()
    selector = options.registry_selector or RegistrySelector()
    private_dir(cache_dir)
    key_path = options.cache_key or (default_cache_key() if options.cache_dir is None else None)
    key = load_key(key_path) if key_path is not None else None
    warm, root = _warm(options, cache_dir, key)
    found: dict[str, Verdict] = {}
    squats: dict[Named, Finding | None] = {}
    uses: list[RegistryUse] = []
    if warm is not None:
        wanted: list[tuple[Component, RegistryConfig]] = []
        for c in components:
            try:
                wanted.append((c, options.registry_config or selector.config_for(c)))
            except ConfigError:
                continue  # the full path reports it
        kept = warm.lookup(wanted)
        found = {purl: k.verdict for purl, k in kept.items()}
        squats = {
            (c.ecosystem, c.name, c.purl): kept[c.purl].squat for c, _ in wanted if c.purl in kept
        }
        uses = registry_uses_many((c, config) for c, config in wanted if c.purl in found)
        if progress is not None and found:
            progress(len(found), len(components))
    misses = [c for c in components if c.purl not in found]
    try:
        if misses:
            full = _Full(options, cache_dir, key, selector, warm, root)
            found.update(full.verify(misses, progress, len(found), uses))
    finally:
        if warm is not None:
            warm.close()
    return {c.purl: found[c.purl] for c in components}, merge_uses(uses), squats


def _warm(
    options: ScanOptions, cache_dir: Path, key: bytes | None
) -> tuple[WarmVerdicts | None, str | None]:
    # No persistent key (results of other runs are never believed) or downloads (checked on
    # every run): no warm verdicts. A trust root that fails its checks at the scan's clock:
    # none either; the full path says why.
    if key is None or options.download:
        return None, None
    root = options.trust_root or default_root_path()
    status = check_trusted_root(root, now=options.clock(), parse=False)
    if status.problems:
        return None, None
    warm = WarmVerdicts(
        private_file(cache_dir / WARM_FILE),
        key,
        http_dir=cache_dir / "http",
        offline=options.offline,
        context=run_context(status.sha256),
    )
    return warm, status.sha256


@dataclass(frozen=True, slots=True)
class _Full:
    """The full path's settings, for the components no warm verdict answered."""

    options: ScanOptions
    cache_dir: Path
    key: bytes | None
    selector: RegistrySelector
    warm: WarmVerdicts | None
    root: str | None

    def verify(
        self,
        misses: list[Component],
        progress: Progress | None,
        before: int,
        uses: list[RegistryUse],
    ) -> dict[str, Verdict]:
        """Verdicts of ``misses``; their registry uses are added to ``uses``."""
        # Imported here: sigstore, httpx and the registry parsers load only for a miss.
        from scanner.verify.fleet import FleetSettings, verify_fleet

        o = self.options
        settings = FleetSettings(
            cache_dir=self.cache_dir,
            key=self.key,
            selector=self.selector,
            registry_config=o.registry_config,
            offline=o.offline,
            download=o.download,
            trust_root=o.trust_root,
            clock=o.clock,
            timeout=o.timeout,
            request_deadline=o.request_deadline,
            component_deadline=o.component_deadline,
            max_connections=o.max_connections,
            retries=o.retries,
            backoff=o.backoff,
            sleep=o.sleep,
        )
        shifted = None
        if progress is not None:

            def shifted(done: int, total: int) -> None:
                progress(before + done, before + total)

        import asyncio

        run = verify_fleet(misses, settings, shifted, self.warm, self.root)
        verdicts, more = asyncio.run(run)
        uses.extend(more)
        return verdicts


__all__ = ["Named", "default_cache_dir", "default_cache_key", "verify_stage"]
