from django.urls import path

from portal.office import views, views_followup, views_signoff

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
    path("duyet/<str:unit_code>/<str:period>/", views_signoff.review_page, name="review"),
    path("duyet/<str:unit_code>/<str:period>/chap-nhan/", views_signoff.accept, name="accept"),
    path("don-vi/<str:unit_code>/ky/<str:period>/duyet/", views_signoff.approve, name="approve"),
    path("don-vi/<str:unit_code>/ky/<str:period>/tra-lai/", views_signoff.return_view, name="return"),
    path("don-vi/<str:unit_code>/ky/<str:period>/cho-phep-sua/", views_signoff.grant_exception,
         name="exception"),
    path("duyet-hang-loat/", views_signoff.bulk, name="bulk"),
    path("don-vi/<str:unit_code>/ky/<str:period>/phat-hien/<str:key>/", views_followup.finding_page,
         name="finding"),
    path("don-vi/<str:unit_code>/ky/<str:period>/phat-hien/<str:key>/tra-loi/", views_followup.answer_view,
         name="answer_finding"),
    path("don-vi/<str:unit_code>/ky/<str:period>/phat-hien/<str:key>/chap-nhan/", views_followup.close_view,
         name="close_finding"),
]
# Every view and the action of the role-by-action table it performs (tests/portal/test_roles.py).
VIEW_ACTIONS = {"unit": "see_unit", "template": "download_template", "upload": "check_file",
                "send": "send_report", "receipt": "see_receipt", "audit": "see_audit_log",
                "review": "review_period", "accept": "accept_period", "approve": "approve_period",
                "return": "return_period", "bulk": "bulk_approve", "exception": "grant_exception",
                "finding": "see_unit", "answer_finding": "answer_finding", "close_finding": "close_finding"}
