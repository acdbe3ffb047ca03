from django.urls import path

from . import views

urlpatterns = [
    path("personer/<int:pk>/samtykke/deling/", views.sharing_consent_record, name="sharing_consent_record"),
    # The one plan-work / coordinator consent page (the relative chosen from the person's relatives); the person page,
    # the plan's consent notices and the API's twin all lead here.
    path("personer/<int:pk>/samtykke/nytt/", views.consent_record, name="consent_record"),
    # One consent record with its scanned paper consent (helhet.consent.scans).
    path("samtykker/<int:pk>/", views.consent_detail, name="consent_detail"),
    # The whole list behind the "Samtykke til deling som utløper" block of "Mine personer" and the KE overview.
    path("samtykker/utloper/", views.consent_expiry_list, name="consent_expiry_list"),
    path("samtykker/<int:pk>/skann/", views.consent_scan_upload, name="consent_scan_upload"),
    # The young person's wish that the parents are not informed (helhet.consent.parents_objection).
    path("personer/<int:pk>/samtykke/foreldre/", views.parents_objection, name="parents_objection"),
    path("foreldre-informasjon/<int:pk>/vurder/", views.parents_objection_assess, name="parents_objection_assess"),
    path("foreldre-informasjon/<int:pk>/trekk-tilbake/", views.parents_objection_withdraw, name="parents_objection_withdraw"),
]
