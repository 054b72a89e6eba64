# The office's exception on an approved unit-period: a new kind of decision (issue 29, locks).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('office', '0004_finding_answers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='decision',
            name='decision',
            field=models.CharField(choices=[('approved', 'đã duyệt'), ('returned', 'trả lại'), ('accepted', 'tỉnh đã chấp nhận'), ('exception', 'được phép sửa')], max_length=20, verbose_name='quyết định'),
        ),
    ]
