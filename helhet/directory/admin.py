from django.contrib import admin

from .models import CoordinatingUnitContact, CoordinatorTraining, Municipality


class ContactInline(admin.StackedInline):
    model = CoordinatingUnitContact
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "county_name", "valid_from", "valid_to", "successor", "needs_check"]
    list_filter = ["county_name", "needs_check"]
    search_fields = ["number", "name"]
    raw_id_fields = ["successor"]
    inlines = [ContactInline]


@admin.register(CoordinatingUnitContact)
class CoordinatingUnitContactAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "email", "phone", "is_example"]
    list_filter = ["is_example"]
    search_fields = ["name", "municipality__name", "municipality__number"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CoordinatorTraining)
class CoordinatorTrainingAdmin(admin.ModelAdmin):
    list_display = ["coordinator", "kind", "held_on", "given_by", "organization"]
    list_filter = ["kind", "organization"]
