"""Settings in, a Session out: what a build finds before it processes any note (the
notes, the root deck, the cache, the state and deck files), and what the deck takes from
the vault besides notes (the README's description, extra CSS).
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from flashgen.cache import NoteCache
from flashgen.cachefolder import cache_folder, listing_digest, settings_key
from flashgen.config import Config
from flashgen.discover import Discovery, discover_notes, is_inside_vault
from flashgen.errors import ConfigError
from flashgen.render.media import MediaIndex
from flashgen.render.preamble import NO_PREAMBLES, Preambles, load_preambles
from flashgen.report import Diagnostic, Severity
from flashgen.state.file import SHARED_STATE_FILE, STATE_FILE, State, load_state
from flashgen.version import __version__


@dataclass(frozen=True, slots=True)
class Session:
    """What a build has found before it processes any note."""

    config: Config
    discovery: Discovery
    root_deck: str
    vault_name: str
    lint: bool
    cache: NoteCache | None
    macros: Preambles = NO_PREAMBLES
    """The vault's LaTeX macros (by preamble), expanded in every maths span."""

    @property
    def whole_vault(self) -> bool:
        """A vault folder built whole, not note files (which share their folder's state
        file with the folder's other notes)."""
        inputs = self.config.inputs
        return len(inputs) == 1 and inputs[0].is_dir()

    @property
    def state_file(self) -> Path:
        """The personal deck's state file, or the shared deck's (`--share`)."""
        name = SHARED_STATE_FILE if self.config.share else STATE_FILE
        return self.discovery.root / name

    @property
    def last_deck(self) -> Path:
        """The record of the last deck this build wrote (see remember_deck)."""
        assert self.cache is not None
        return self.cache.folder / _LAST_DECK


def start_session(config: Config, lint: bool) -> Session:
    """Find the notes, check the settings that concern the whole deck, open the cache
    (not for a lint)."""
    discovery = discover_notes(config.inputs, config.include, config.exclude)
    if config.share and not config.namespace:
        where = config.config_file or ".flashgen.toml"
        raise ConfigError(
            (
                f"{where}: error: --share needs a namespace, so that decks from different "
                'authors never collide (add namespace = "<you>-<vault>" and keep it for '
                "every version you share)",
            )
        )
    _check_css(config, discovery.root)
    discovery = _check_readme(discovery)
    if config.notices:
        notices = (*discovery.diagnostics, *config.notices)
        discovery = replace(discovery, diagnostics=notices)
    macros, problems = load_preambles(
        discovery.root, config.preamble, config.config_file
    )
    discovery = replace(discovery, diagnostics=(*discovery.diagnostics, *problems))
    root_deck = config.deck_name or discovery.name
    vault_name = config.vault_name or discovery.root.name
    cache = None
    if config.cache and not lint:
        cache = _open_cache(config, discovery, root_deck, vault_name, macros)
        problem = _unwritable(cache.folder)
        if problem is not None:
            # The deck and state file are written all the same; only speed is lost.
            cache = None
            discovery = replace(
                discovery, diagnostics=(*discovery.diagnostics, problem)
            )
    return Session(
        config=config,
        discovery=discovery,
        root_deck=root_deck,
        vault_name=vault_name,
        lint=lint,
        cache=cache,
        macros=macros,
    )


def _open_cache(
    config: Config,
    discovery: Discovery,
    root_deck: str,
    vault_name: str,
    macros: Preambles,
) -> NoteCache:
    settings = {
        name: getattr(config, name)
        for name in Config.__dataclass_fields__
        if name
        not in {
            "inputs",
            "output",
            "output_folder",
            "jobs",
            "cache",
            "config_file",
            "notices",
        }
    }
    settings.update(root=str(discovery.root), root_deck=root_deck, vault=vault_name)
    settings.update(macros=macros.digest)
    media = MediaIndex(discovery.root).fingerprint()
    folder = cache_folder(discovery.root, (path.resolve() for path in config.inputs))
    if config.share:
        # Its own cache: shared and personal builds in turn never undo each other's.
        folder = folder.with_name(f"{folder.name}-shared")
    cache = NoteCache(
        folder,
        settings_key(settings),
        listing_digest(media),
        listing_digest(source.rel for source in discovery.notes),
    )
    cache.check(discovery.notes)
    return cache


def _unwritable(folder: Path) -> Diagnostic | None:
    """A warning when the cache folder cannot take a file; None when it can."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe.{os.getpid()}.tmp"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        return Diagnostic(
            str(folder),
            0,
            Severity.WARNING,
            "cannot write the cache folder, so this build reads every note afresh "
            f"({err.strerror or err}; set FLASHGEN_CACHE_DIR to a folder you can write)",
        )
    return None


_LAST_DECK = "last-deck.json"


_COLLECTION = "collection.anki2"


def kept_collection(session: Session) -> Path | None:
    """Where a build keeps its collection for the next build to patch, if it may: whole
    vaults only (note files share a state file with other notes), and never a shared
    deck, which a full build makes the same to the byte on every machine."""
    if session.cache is None or session.config.share or not session.whole_vault:
        return None
    return session.cache.folder / _COLLECTION


def load_last_state(session: Session) -> tuple[State, tuple[Diagnostic, ...]]:
    """The last state of this kind of deck. A shared deck's first state is the personal
    deck's (read, never written): its identities, as shared decks had them before they
    kept a state of their own, so a recipient's earlier import still updates."""
    path = session.state_file
    if session.config.share and not path.exists():
        path = session.discovery.root / STATE_FILE
    if not path.exists() and output_path(session.config, session).is_file():
        # A deck was built, so a state was written: the file is lost, not yet to come.
        return State(), (
            Diagnostic(
                session.state_file.name,
                0,
                Severity.WARNING,
                "state file is missing though the deck was built before, so card times "
                "start afresh and the next import will overwrite edits made in Anki "
                "(restore it from version control or a backup before you import)",
            ),
        )
    return load_state(path)


def _check_css(config: Config, vault: Path) -> None:
    """The css file is read from inside the vault only: a vault's settings may come
    from someone else, and the deck carries the file to whoever imports it."""
    if config.css is None:
        return
    path = vault / config.css
    if path.exists() and not is_inside_vault(path, vault.resolve()):
        where = config.config_file or ".flashgen.toml"
        raise ConfigError(
            (
                f"{where}: error: css file '{config.css}' is outside the vault (give "
                "the vault-relative path of a .css file inside the vault)",
            )
        )


def _check_readme(discovery: Discovery) -> Discovery:
    """A README that leads out of the vault is not read for the description: the walk
    says so for a vault; a build of note files, which walks nothing, says so here."""
    readme = discovery.root / _README
    if not os.path.lexists(readme) or _readme_is_inside(discovery.root):
        return discovery
    if any(d.path == _README for d in discovery.diagnostics):
        return discovery
    warning = Diagnostic(
        _README,
        0,
        Severity.WARNING,
        "leads out of the vault and was not read for the deck's description (copy "
        "it into the vault)",
    )
    return replace(discovery, diagnostics=(*discovery.diagnostics, warning))


_README = "README.md"


def _readme_is_inside(vault: Path) -> bool:
    return is_inside_vault(vault / _README, vault.resolve())


def extra_css(config: Config, vault: Path) -> str:
    """The extra CSS the settings name ("" for none), read from inside the vault."""
    if config.css is None:
        return ""
    _check_css(config, vault)
    path = vault / config.css
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        where = config.config_file or ".flashgen.toml"
        raise ConfigError(
            (
                f"{where}: error: css file '{config.css}' cannot be read ({err}; give a "
                "vault-relative path to a UTF-8 .css file)",
            )
        ) from err


def deck_description(config: Config, vault: Path, cards: int) -> str:
    """The root deck's description: the config's, or the vault README's opening, and a
    version line."""
    text = config.description
    readme = vault / _README
    if text is None and readme.is_file() and _readme_is_inside(vault):
        paragraphs = readme.read_text(encoding="utf-8", errors="replace").split("\n\n")
        prose = [
            p.strip()
            for p in paragraphs
            if p.strip() and not p.lstrip().startswith(("#", "---"))
        ]
        text = prose[0] if prose else None
    version = f"{cards} cards, built by flashgen {__version__}"
    return f"{html.escape(text)}<br><br>{version}" if text else version


def output_path(config: Config, session: Session) -> Path:
    """Where the deck goes: `output` when set, else `decks/<name>.apkg` in the current
    folder, named after the root deck (a vault) or the note (note files, whose deck
    goes beside the vault's when the vault's settings name its place)."""
    if config.output is not None:
        return config.output
    title = session.discovery.title
    name = _file_name(session.root_deck if title is None else title)
    return (config.output_folder or Path("decks")) / f"{name}.apkg"


def _file_name(deck: str) -> str:
    return re.sub(r"[^\w.-]+", "-", deck).strip("-.") or "deck"
