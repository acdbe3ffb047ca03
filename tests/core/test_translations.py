"""Every string the code marks for translation is translated in nynorsk and English, and none is fuzzy.

makemessages runs on a copy of the source (the repository is not touched): a string added to a template or to
Python code (labels included) without a translation shows up as untranslated there.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("nn", "en")


def _stats(po: Path) -> tuple[list[str], list[str]]:
    def ids(*flags):
        out = subprocess.run(["msgattrib", *flags, "--no-wrap", str(po)], capture_output=True, text=True, check=True).stdout
        return [line[7:-1] for line in out.splitlines() if line.startswith('msgid "') and line != 'msgid ""']

    return ids("--untranslated", "--no-obsolete"), ids("--only-fuzzy", "--no-obsolete")


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory):
    copy = tmp_path_factory.mktemp("i18n") / "helhet"
    shutil.copytree(ROOT / "helhet", copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    admin = Path(sys.executable).with_name("django-admin")
    args = [str(admin), "makemessages", "--no-obsolete", *(f"-l{lang}" for lang in LANGUAGES)]
    subprocess.run(args, cwd=copy, check=True, capture_output=True)
    return {lang: copy / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in LANGUAGES}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_shipped_catalogue_is_complete(lang):
    untranslated, fuzzy = _stats(ROOT / "helhet" / "locale" / lang / "LC_MESSAGES" / "django.po")
    assert not untranslated, f"{len(untranslated)} untranslated in {lang}: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {lang}: {fuzzy[:10]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_in_the_code_is_in_the_catalogue(fresh_catalogues, lang):
    untranslated, fuzzy = _stats(fresh_catalogues[lang])
    missing = untranslated + fuzzy
    assert not missing, (f"{len(missing)} strings in the code have no {lang} translation (run makemessages and translate): "
                         f"{missing[:10]}")
