from django.contrib import admin

from .models import LocalGuideline, Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "valid_from", "valid_to", "organization", "needs_check"]
    list_filter = ["kind", "organization", "needs_check"]
    search_fields = ["code", "title", "source"]


@admin.register(LocalGuideline)
class LocalGuidelineAdmin(admin.ModelAdmin):
    """Read-only: local guidelines are changed by the organisation's KE (/ke/retningslinjer/), with audit."""

    list_display = ["organization", "key", "value", "previous_value", "valid_from", "changed_by", "changed_at"]
    list_filter = ["key", "organization"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
