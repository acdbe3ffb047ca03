from django.contrib import admin

from .models import Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "valid_from", "valid_to", "organization", "needs_check"]
    list_filter = ["kind", "organization", "needs_check"]
    search_fields = ["code", "title", "source"]
