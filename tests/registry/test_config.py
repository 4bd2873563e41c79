"""Registry URLs from env, pip.conf, uv.toml/pyproject and .npmrc; defaults from a library."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import ConfigError
from scanner.models import Installer, RegistryHint
from scanner.registry.config import (
    default_npm,
    default_pypi_simple,
    load_config,
    redact,
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    (tmp_path / "project").mkdir()
    (tmp_path / "etc").mkdir()
    return tmp_path / "home"


def _load(
    home: Path,
    env: dict[str, str] | None = None,
    installer: Installer = Installer.PIP,
    **kw: object,
):
    root = home.parent
    base = {"HOME": str(home), "PIP_CONFIG_FILE": "", "XDG_CONFIG_DIRS": "/etc/xdg"}
    return load_config(
        env={**base, **(env or {})},
        cwd=root / "project",
        home=home,
        system_root=root,
        global_npmrc=root / "etc" / "npmrc",
        hint=RegistryHint(installer, str(root / "project")),
        prefix=root / "venv",
        **kw,  # type: ignore[arg-type]
    )


def test_defaults_come_from_the_library(home: Path) -> None:
    from packageurl.validate import NpmTypeDefinition, PypiTypeDefinition

    cfg = _load(home)
    assert cfg.pypi_simple == default_pypi_simple()
    assert cfg.pypi_simple == PypiTypeDefinition.default_repository_url.rstrip("/") + "/simple/"
    assert cfg.npm == default_npm() == NpmTypeDefinition.default_repository_url
    assert cfg.pypi_json == PypiTypeDefinition.default_repository_url.rstrip("/") + "/pypi/"
    assert cfg.npm_scopes == {}
    assert dict(cfg.sources)["pypi"] == "packageurl-python default"


def test_pip_index_url_env_wins_and_credentials_are_kept_but_not_shown(home: Path) -> None:
    cfg = _load(home, {"PIP_INDEX_URL": "https://user:s3cret@mirror.example/simple"})
    assert cfg.pypi_simple == "https://user:s3cret@mirror.example/simple/"
    assert "s3cret" not in repr(cfg)
    assert redact(cfg.pypi_simple) == "https://***@mirror.example/simple/"


def test_each_installer_reads_only_its_own_env(home: Path) -> None:
    env = {"UV_DEFAULT_INDEX": "https://uv.example/simple", "PIP_INDEX_URL": "https://p.example/s"}
    assert _load(home, env, Installer.UV).pypi_simple == "https://uv.example/simple/"
    assert _load(home, env, Installer.PIP).pypi_simple == "https://p.example/s/"
    uv_old = _load(home, {"UV_INDEX_URL": "https://old.example/simple/"}, Installer.UV_TOOL)
    assert uv_old.pypi_simple == "https://old.example/simple/"
    assert dict(uv_old.sources)["pypi"] == "$UV_INDEX_URL"
    # uv ignores PIP_INDEX_URL (the defect: it used to be applied to uvx servers)
    pip_only = _load(home, {"PIP_INDEX_URL": "https://p.example/s"}, Installer.UV_TOOL)
    assert pip_only.pypi_simple == default_pypi_simple()


def test_user_pip_conf_install_section_beats_global(home: Path) -> None:
    conf = home / ".config" / "pip" / "pip.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text(
        "[global]\nindex-url = https://g.example/simple\n"
        "[install]\nindex-url = https://i.example/simple\n"
    )
    cfg = _load(home)
    assert cfg.pypi_simple == "https://i.example/simple/"
    assert dict(cfg.sources)["pypi"] == str(conf)


def test_global_pip_conf_and_pip_config_file(home: Path) -> None:
    (home.parent / "etc" / "pip.conf").write_text("[global]\nindex-url = https://sys.example/s/\n")
    assert _load(home).pypi_simple == "https://sys.example/s/"
    assert _load(home).pypi_json is None  # not a /simple/ root: no JSON API guessed
    own = home / "mine.conf"
    own.write_text("[global]\nindex_url = https://own.example/simple/\n")
    assert _load(home, {"PIP_CONFIG_FILE": str(own)}).pypi_simple == "https://own.example/simple/"


def test_uv_project_index_from_pyproject(home: Path) -> None:
    project = home.parent / "project"
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n'
        '[[tool.uv.index]]\nname = "other"\nurl = "https://other.example/simple"\n'
        '[[tool.uv.index]]\nname = "corp"\nurl = "https://corp.example/simple"\ndefault = true\n'
    )
    cfg = _load(home, installer=Installer.UV)
    assert cfg.pypi_simple == "https://corp.example/simple/"
    assert cfg.pypi_extra == ("https://other.example/simple/",)
    assert cfg.pypi_indexes() == ("https://other.example/simple/", "https://corp.example/simple/")
    # uvx / uv tool run read no project files
    assert _load(home, installer=Installer.UV_TOOL).pypi_simple == default_pypi_simple()


def test_uv_toml_in_project_and_user(home: Path) -> None:
    xdg = home / ".config" / "uv"
    xdg.mkdir(parents=True)
    (xdg / "uv.toml").write_text('index-url = "https://user-uv.example/simple"\n')
    assert _load(home, installer=Installer.UV).pypi_simple == "https://user-uv.example/simple/"
    (home.parent / "project" / "uv.toml").write_text(
        '[[index]]\nurl = "https://proj-uv.example/simple"\ndefault = true\n'
    )
    assert _load(home, installer=Installer.UV).pypi_simple == "https://proj-uv.example/simple/"
    assert _load(home).pypi_simple == default_pypi_simple()  # pip reads no uv file


def test_malformed_uv_toml_names_the_file(home: Path) -> None:
    bad = home.parent / "project" / "uv.toml"
    bad.write_text("index-url = \n")
    with pytest.raises(ConfigError) as info:
        _load(home, installer=Installer.UV)
    assert str(bad) in str(info.value)


def test_npmrc_precedence_and_scopes(home: Path) -> None:
    root = home.parent
    (root / "etc" / "npmrc").write_text(
        "registry=https://global.example/\n@g:registry=https://g-scope.example/\n"
    )
    assert _load(home).npm == "https://global.example/"
    (home / ".npmrc").write_text(
        "# user\nregistry=https://user.example/npm\n@corp:registry=https://corp.example/npm/\n"
        "//corp.example/npm/:_authToken=${NPM_TOKEN}\n"
    )
    cfg = _load(home, {"NPM_TOKEN": "t0k"})
    assert cfg.npm == "https://user.example/npm/"
    assert cfg.npm_scopes == {
        "@corp": "https://corp.example/npm/",
        "@g": "https://g-scope.example/",
    }
    assert cfg.npm_for("@corp/tool") == "https://corp.example/npm/"
    assert cfg.npm_for("@other/tool") == cfg.npm_for("plain") == "https://user.example/npm/"
    project = root / "project"
    (project / "package.json").write_text("{}")
    (project / ".npmrc").write_text("registry = https://project.example/\n")
    assert _load(home).npm == "https://project.example/"
    env = {"npm_config_registry": "https://env.example/"}
    assert _load(home, env).npm == "https://env.example/"


def test_npmrc_env_expansion_in_registry(home: Path) -> None:
    (home / ".npmrc").write_text("registry=https://${NPM_HOST}/\n")
    assert _load(home, {"NPM_HOST": "mirror.example"}).npm == "https://mirror.example/"


def test_public_api_is_sorted_and_complete() -> None:
    import scanner.registry as pkg

    assert pkg.__all__ == sorted(pkg.__all__)
    public = {n for n in vars(pkg) if not n.startswith("_") and n[0].isupper() or n in pkg.__all__}
    modules = {"annotations", "StrEnum", "httpx", "config", "http", "interface", "npm", "pypi"}
    modules |= {"cache"}
    assert public - modules - {"T"} <= set(pkg.__all__)


def test_oversized_uv_toml_and_npmrc_are_refused_by_the_shared_reader(home: Path) -> None:
    from scanner.inventory._decode import MAX_FILE_BYTES

    padding = "#" * 99 + "\n"
    lines = MAX_FILE_BYTES // len(padding) + 1
    uv = home.parent / "project" / "uv.toml"
    uv.write_text('index-url = "https://big-uv.example/simple"\n' + padding * lines)
    with pytest.raises(ConfigError, match="byte limit") as info:
        _load(home, installer=Installer.UV)
    assert str(uv) in str(info.value)
    uv.unlink()
    npmrc = home / ".npmrc"
    npmrc.write_text("registry=https://big-npm.example/\n" + padding * lines)
    with pytest.raises(ConfigError, match="byte limit") as info:
        _load(home)
    assert str(npmrc) in str(info.value)
