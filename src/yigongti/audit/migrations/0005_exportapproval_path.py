from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_export_approval_and_privacy_requests'),
    ]

    operations = [
        migrations.AddField(
            model_name='exportapproval',
            name='path',
            field=models.CharField(blank=True, default='', max_length=500, verbose_name='导出地址'),
        ),
    ]
