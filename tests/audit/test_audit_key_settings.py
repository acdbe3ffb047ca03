"""Production refuses to start without an audit key; the key comes from the environment or a file."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.HELHET_AUDIT_KEY, s.HELHET_AUDIT_KEY_ID, sorted(s.HELHET_AUDIT_OLD_KEYS.items()))"
)


def _run(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELHET_", "DEBUG", "SECRET_KEY", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="helhet.settings", DEBUG="0", SECRET_KEY="s" * 60, **extra)
    return subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_without_an_audit_key():
    result = _run()
    assert result.returncode != 0
    assert "HELHET_AUDIT_KEY or HELHET_AUDIT_KEY_FILE must be set" in result.stderr


def test_production_reads_the_key_from_the_environment_with_old_keys():
    result = _run(HELHET_AUDIT_KEY="k" * 40, HELHET_AUDIT_KEY_ID="3", HELHET_AUDIT_OLD_KEYS="1:one,2:two:with:colons")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 2) == ["k" * 40, "3", "[('1', 'one'), ('2', 'two:with:colons')]\n"]


def test_production_reads_the_key_from_a_file(tmp_path):
    key_file = tmp_path / "audit.key"
    key_file.write_text("f" * 40 + "\n")
    result = _run(HELHET_AUDIT_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("f" * 40 + " 1 ")


def test_a_malformed_old_key_entry_is_refused():
    result = _run(HELHET_AUDIT_KEY="k" * 40, HELHET_AUDIT_OLD_KEYS="no-colon")
    assert result.returncode != 0
    assert "id:key" in result.stderr
