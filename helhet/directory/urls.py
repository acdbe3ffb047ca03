from django.urls import path

from . import views

urlpatterns = [
    path("kommuneregister/", views.directory_list, name="directory_list"),
    path("kommuneregister/<int:pk>/endre/", views.contact_edit, name="directory_contact_edit"),
    path("ke/utenfor-helhet/", views.outside_list, name="directory_outside"),
    path("ke/utenfor-helhet/<slug:kind>/<int:pk>/ta-inn/", views.outside_accept, name="directory_outside_accept"),
    path("meldinger/<int:pk>/svar-utenfor-helhet/", views.outside_answer, name="directory_outside_answer"),
    path("utenfor-helhet/<slug:kind>/<int:pk>/", views.outside_item, name="directory_outside_item"),
    path("utenfor-helhet/<slug:kind>/<int:pk>/brev/", views.outside_letter, name="directory_outside_letter"),
    path("overforinger/<int:pk>/svar-utenfor-helhet/", views.outside_transfer_answer, name="directory_outside_transfer_answer"),
    path("samarbeidsinformasjon/<int:pk>/svar-utenfor-helhet/", views.outside_partner_answer, name="directory_outside_partner_answer"),
    path("ke/opplaering/", views.training_list, name="directory_training"),
    path("ke/opplaering/<int:org_id>/ny/", views.training_add, name="directory_training_add"),
]
