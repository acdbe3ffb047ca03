from django.urls import path

from . import views

urlpatterns = [
    path("konto/", views.account, name="account"),
    path("konto/2fa/", views.two_factor_verify, name="two_factor_verify"),
    path("konto/2fa/oppsett/", views.two_factor_setup, name="two_factor_setup"),
    path("oidc/<slug:provider>/login/", views.oidc_login, name="oidc_login"),
    path("oidc/<slug:provider>/callback/", views.oidc_callback, name="oidc_callback"),
]
