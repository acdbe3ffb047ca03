from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Membership, Organization, ServiceUnit, User


class UnitInline(admin.TabularInline):
    model = ServiceUnit
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "org_number", "municipality_number"]
    search_fields = ["name", "org_number", "municipality_number"]
    inlines = [UnitInline]


@admin.register(ServiceUnit)
class ServiceUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "sector", "level", "is_coordinating_unit"]
    list_filter = ["sector", "level", "organization"]
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class HelhetUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Helhet", {"fields": ("national_id", "hpr_number", "title", "phone")}),)
    inlines = [MembershipInline]
