import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(env_extra: dict, code: str = "import django; django.setup(); print('ok')"):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update({"DJANGO_SETTINGS_MODULE": "helhet.settings", **env_extra})
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_with_the_default_secret():
    result = _run({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_real_secret_and_secure_cookies():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG)"
    result = _run({"DEBUG": "0", "SECRET_KEY": "x" * 60, "HELHET_AUDIT_KEY": "a" * 64}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "False"]
