from django.urls import path

from . import views

urlpatterns = [
    path("personer/<int:pk>/samtykke/deling/", views.sharing_consent_record, name="sharing_consent_record"),
    # The plan-work / coordinator consent page with the relative chosen from the person's relatives. cases/urls.py's
    # "consent_record" (personer/<pk>/samtykke/nytt/) should route here (lead), retiring cases.forms.ConsentForm.
    path("personer/<int:pk>/samtykke/plan-koordinator/", views.consent_record, name="consent_plan_record"),
]
