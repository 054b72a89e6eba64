from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "portal.office"
    verbose_name = "Cổng báo cáo"
    default_auto_field = "django.db.models.BigAutoField"
