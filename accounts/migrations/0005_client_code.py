import re

import django.core.validators
from django.db import migrations, models


def give_codes(apps, schema_editor):
    """Existing clients get a code from the capitals and digits of their name."""
    Client = apps.get_model("accounts", "Client")
    taken = set()
    for client in Client.objects.order_by("pk"):
        letters = re.sub(r"[^A-Z0-9]", "", client.name.upper())
        base = (letters if letters[:1].isalpha() else f"C{letters}")[:8] or "CLIENT"
        base = base if len(base) >= 2 else f"{base}X"
        code, n = base, 1
        while code in taken:
            n += 1
            code = f"{base}{n}"
        taken.add(code)
        client.code = code
        client.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_proposal_proposalround_roundhours_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="code",
            field=models.CharField(max_length=12, null=True, verbose_name="code"),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="client",
            name="code",
            field=models.CharField(
                help_text="Starts the client's job numbers, e.g. ACME in ACME-2026-014.",
                max_length=12,
                unique=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Z][A-Z0-9]{1,11}$",
                        "2 to 12 capital letters or digits, starting with a letter.",
                    )
                ],
                verbose_name="code",
            ),
        ),
    ]
