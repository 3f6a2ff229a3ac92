# Each signal keeps its trajectory's organisation, with an index, so that a dashboard counts one
# organisation's signals without reading everyone's. Added empty, filled in from the
# trajectories in one UPDATE, then required. Reversible: the way back drops the column.

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_organisation(apps, schema_editor):
    Signal = apps.get_model("monitoring", "Signal")
    Trajectory = apps.get_model("trajectories", "Trajectory")
    Signal.objects.update(
        organisation_id=Subquery(
            Trajectory.objects.filter(pk=OuterRef("trajectory_id")).values("organisation_id")[:1]
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0003_encrypt_free_text'),
        ('organisations', '0002_retention'),
        ('trajectories', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='signal',
            name='organisation',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation', verbose_name='organisation'),
        ),
        migrations.RunPython(fill_organisation, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name='signal',
            name='organisation',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation', verbose_name='organisation'),
        ),
        migrations.AddIndex(
            model_name='signal',
            index=models.Index(fields=['organisation', 'raised_at'], name='signal_organisation_raised'),
        ),
    ]
