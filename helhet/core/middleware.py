from django.shortcuts import render

from .errors import DomainError


class DomainErrorMiddleware:
    """Renders a DomainError that escaped a view as a clear Norwegian page with its status.

    Views that can show the error next to the form catch it themselves; this is
    the safety net that keeps a domain failure from ever becoming a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            template = "404.html" if exception.status == 404 else "error.html"
            return render(request, template, {"error": exception}, status=exception.status)
        return None
