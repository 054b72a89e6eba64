from django.urls import path

from portal.office import views

app_name = "office"
urlpatterns = [
    path("dang-nhap/", views.PortalLogin.as_view(), name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("doi-mat-khau/", views.password_view, name="password"),
    path("", views.home, name="home"),
    path("don-vi/<str:unit_code>/", views.unit_page, name="unit"),
    path("don-vi/<str:unit_code>/mau/<str:period>/", views.template_download, name="template"),
    path("don-vi/<str:unit_code>/gui/", views.upload, name="upload"),
    path("don-vi/<str:unit_code>/gui/<str:token>/", views.send_view, name="send"),
    path("bien-nhan/<int:receipt_id>/", views.receipt_view, name="receipt"),
    path("nhat-ky/", views.audit_view, name="audit"),
]
# Every view and the action of the role-by-action table it performs (tests/portal/test_roles.py).
VIEW_ACTIONS = {"unit": "see_unit", "template": "download_template", "upload": "check_file",
                "send": "send_report", "receipt": "see_receipt", "audit": "see_audit_log"}
