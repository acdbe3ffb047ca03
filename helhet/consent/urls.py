from django.urls import path

from . import views

urlpatterns = [
    path("personer/<int:pk>/samtykke/deling/", views.sharing_consent_record, name="sharing_consent_record"),
    # The one plan-work / coordinator consent page (the relative chosen from the person's relatives); the person page,
    # the plan's consent notices and the API's twin all lead here.
    path("personer/<int:pk>/samtykke/nytt/", views.consent_record, name="consent_record"),
    # One consent record with its scanned paper consent (helhet.consent.scans).
    path("samtykker/<int:pk>/", views.consent_detail, name="consent_detail"),
    path("samtykker/<int:pk>/skann/", views.consent_scan_upload, name="consent_scan_upload"),
]
