from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_every_interface_text_has_its_chinese_translation():
    import re
    from pathlib import Path

    po = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    untranslated, fuzzy = [], []
    for entry in po.read_text().split("\n\n")[1:]:
        if "#, fuzzy" in entry:
            fuzzy.append(entry)
        head, _, tail = entry.partition("\nmsgstr")
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', head, re.M))
        msgstr = "".join(re.findall(r'^(?:\[0\] |\s)?"(.*)"$', tail, re.M))
        if msgid and not msgstr:
            untranslated.append(msgid)
    assert (untranslated, fuzzy) == ([], [])
