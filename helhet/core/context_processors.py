from django.conf import settings


def helhet(request):
    return {"HELHET_DEMO": settings.HELHET_DEMO}
