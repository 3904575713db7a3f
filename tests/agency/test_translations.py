import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import DepartmentFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["manage.py", "agency", "common", "teams", "accounts", "projects", "budgets", "billing"]
SOURCES += ["notifications"]
SOURCES += ["templates", "locale"]


def test_every_string_of_the_portal_has_a_chinese_translation(tmp_path):
    # Extract the strings of a copy of the source, merged with the catalogue as committed.
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.mo")
            shutil.copytree(source, tmp_path / name, ignore=ignore)
        else:
            shutil.copy(source, tmp_path / name)
    env = {**os.environ, "DJANGO_DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    catalogue = tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"
    stats = subprocess.run(
        ["msgfmt", "--statistics", "--check", "-o", os.devnull, str(catalogue)],
        capture_output=True,
        text=True,
        check=True,
    ).stderr

    todo = f"{stats.strip()}: run `make messages`, then translate locale/zh_Hans/.../django.po"
    assert "untranslated" not in stats, todo
    assert "fuzzy" not in stats, todo
    assert "#~ msgid" not in catalogue.read_text(), "drop the obsolete entries: make messages"


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="en")
def test_a_person_who_chose_chinese_gets_the_portal_in_chinese(client, ae):
    ae.language = "zh-hans"
    ae.save()
    client.force_login(ae)

    page = client.get(reverse("home"), headers={"accept-language": "en"}).text

    assert "欢迎" in page
    assert "我的工作台" in page
    assert "客户经理" in page


@pytest.mark.django_db
def test_a_department_shows_in_the_readers_language(client):
    creative = DepartmentFactory(name="Creative", code="creative", name_zh_hans="创意部")
    designer = UserFactory(role="staff", department=creative, language="zh-hans")
    client.force_login(designer)
    assert "创意部" in client.get(reverse("home")).text

    designer.language = "en"
    designer.save()
    page = client.get(reverse("home")).text
    assert "Department staff · Creative" in page
    assert "创意部" not in page
