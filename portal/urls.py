"""The portal's addresses: the office app, and Django's admin for the statistics office."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = admin.site.site_title = "Cổng báo cáo chỉ tiêu — quản trị"

urlpatterns = [
    path("quan-tri/", admin.site.urls),
    path("", include("portal.office.urls")),
]
