"""The first login asks for a new password: until it is changed, every page leads there."""

from django.shortcuts import redirect
from django.urls import reverse


class FirstPasswordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        account = getattr(request.user, "account", None) if request.user.is_authenticated else None
        if account is not None and account.must_change_password:
            allowed = {reverse("office:password"), reverse("office:logout")}
            if request.path not in allowed:
                return redirect("office:password")
        return self.get_response(request)
