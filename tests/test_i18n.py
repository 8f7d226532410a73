"""The Chinese catalog: complete, placeholder-safe, and actually served.

English is the msgid language; zh is the only catalog. When a test here fails
because of new strings, run `scripts/i18n.sh update`, translate the empty
msgstr entries in core/translations/zh/LC_MESSAGES/messages.po, and run
`scripts/i18n.sh compile`.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask_babel import force_locale, gettext

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "core" / "translations"
ZH_PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
ZH_MO = ZH_PO.with_suffix(".mo")

# Keep in step with the --keyword options in scripts/i18n.sh.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}

# %(name)s, %(n)d, %(max).2f ... ; "%%" is a literal percent sign, not a placeholder.
NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?([a-zA-Z])")
POSITIONAL_PLACEHOLDER = re.compile(r"%(?!%|\()[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]")


def _read_catalog(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _forms(value) -> tuple[str, ...]:
    """A message's id or string as a tuple: one form, or several for plurals."""
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _placeholders(text: str) -> set[str]:
    named = {f"%({name}){kind}" for name, kind in NAMED_PLACEHOLDER.findall(text)}
    positional = {f"positional #{i}" for i, _ in enumerate(POSITIONAL_PLACEHOLDER.findall(text))}
    return named | positional


def _compile_zh_if_stale() -> None:
    """Build messages.mo (git-ignored) from the .po when missing or older than it."""
    if ZH_MO.exists() and ZH_MO.stat().st_mtime >= ZH_PO.stat().st_mtime:
        return
    catalog = _read_catalog(ZH_PO)
    # Write then rename, so parallel test workers never read a half-written file.
    fd, tmp = tempfile.mkstemp(dir=ZH_MO.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalog)
        os.replace(tmp, ZH_MO)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@pytest.fixture(scope="module", autouse=True)
def compiled_translations():
    _compile_zh_if_stale()


@pytest.fixture(scope="module")
def zh_catalog() -> Catalog:
    return _read_catalog(ZH_PO)


def _messages(catalog: Catalog):
    return [m for m in catalog if m.id]  # skip the header entry


# --- the catalog file -----------------------------------------------------------


def test_every_message_is_translated(zh_catalog):
    untranslated = [m.id for m in _messages(zh_catalog)
                    if not all(s.strip() for s in _forms(m.string))]
    assert not untranslated, "msgids without a Chinese translation:\n" + "\n".join(map(str, untranslated))


def test_no_fuzzy_translations(zh_catalog):
    fuzzy = [m.id for m in _messages(zh_catalog) if m.fuzzy]
    assert not fuzzy, "fuzzy entries (check the translation, then drop the flag):\n" + "\n".join(map(str, fuzzy))
    assert not zh_catalog.fuzzy, "the catalog header is marked fuzzy"


def test_plural_entries_fill_every_form(zh_catalog):
    for message in _messages(zh_catalog):
        if message.pluralizable:
            assert len(_forms(message.string)) == zh_catalog.num_plurals, message.id


def test_translations_keep_the_placeholders(zh_catalog):
    wrong = []
    for message in _messages(zh_catalog):
        # For plurals the singular may leave the count out, so compare with all id forms.
        expected = set().union(*(_placeholders(form) for form in _forms(message.id)))
        for translated in _forms(message.string):
            if translated and _placeholders(translated) != expected:
                wrong.append(f"{message.id!r}: expected {sorted(expected)}, "
                             f"got {sorted(_placeholders(translated))} in {translated!r}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_babel_catalog_checks_pass(zh_catalog):
    problems = [f"{m.id!r}: {'; '.join(map(str, errors))}" for m, errors in zh_catalog.check()]
    assert not problems, "\n".join(problems)


# --- the catalog against the source -------------------------------------------------


@pytest.fixture(scope="module")
def extracted_pot(tmp_path_factory) -> Catalog:
    """Extract every msgid from the code and templates, as scripts/i18n.sh does."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    catalog = Catalog(project="loan-auction", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    with pot.open("wb") as f:
        write_po(f, catalog)
    return _read_catalog(pot)


def test_extraction_finds_the_known_strings(extracted_pot):
    # Guards the extraction itself: Python (lazy and plain gettext) and templates.
    ids = {m.id for m in extracted_pot}
    assert {"Sign in", "Package desk", "Wrong username or password.", "Please enter an amount."} <= ids


def test_every_source_msgid_is_in_the_zh_catalog(extracted_pot, zh_catalog):
    missing = [m for m in _messages(extracted_pot) if m.id not in zh_catalog]
    report = "\n".join(
        f"{m.id!r}  ({', '.join(f'{path}:{line}' for path, line in m.locations)})" for m in missing
    )
    assert not missing, (
        f"{len(missing)} msgid(s) in the code are not in the Chinese catalog. Run "
        f"`scripts/i18n.sh update`, translate them in {ZH_PO.relative_to(ROOT)}, then "
        f"`scripts/i18n.sh compile`:\n{report}"
    )


# --- the running app ---------------------------------------------------------------


@pytest.fixture
def app(app_factory):
    """The suite's app, but with the production default locale (conftest uses English).

    Unlike conftest's `app`, no app context stays pushed: Flask-Babel caches the
    locale in `g`, and a held app context would share one `g` across all client
    requests, so a language switch would not show until the next test.
    """
    return app_factory(BABEL_DEFAULT_LOCALE="zh")


def test_compiled_catalog_is_served(app, zh_catalog):
    wrong = []
    with app.test_request_context("/"), force_locale("zh"):
        for message in _messages(zh_catalog):
            if message.fuzzy or not message.string or not isinstance(message.id, str):
                continue  # reported by the tests above
            if gettext(message.id) != message.string:
                wrong.append(message.id)
    assert not wrong, "the .mo does not match the .po; run scripts/i18n.sh compile:\n" + "\n".join(wrong)


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "登录" in html
    assert "用户名" in html and "密码" in html
    assert 'lang="zh-CN"' in html
    assert "Sign in" not in html


def test_language_switch_to_english_and_back(client):
    response = client.post("/language", data={"locale": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")

    html = client.get("/login").get_data(as_text=True)
    assert "Sign in" in html
    assert "Username" in html
    assert 'lang="en"' in html
    assert "登录" not in html

    client.post("/language", data={"locale": "zh", "next": "/login"})
    html = client.get("/login").get_data(as_text=True)
    assert "登录" in html and "Sign in" not in html


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"locale": "fr", "next": "/login"})
    assert "登录" in client.get("/login").get_data(as_text=True)
