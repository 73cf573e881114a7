"""Django admin for the system administrator; day-to-day edits go through the org pages and actions."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import (
    Area,
    Department,
    Institution,
    Membership,
    PopulationDenominator,
    ReservedBed,
    StaffRole,
    User,
)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("yigongti", {"fields": ("full_name", "phone", "title", "title_name",
                                                               "must_change_password", "is_demo")}))
    list_display = ("username", "full_name", "title", "is_active", "last_login")
    search_fields = ("username", "full_name")

    # A password typed here by an administrator is an initial one (issue 16): the user changes it first.
    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and str(request.user.pk) != str(id):
            User.objects.filter(pk=id).update(must_change_password=True)
        return response


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "tier", "kind", "grade", "clinical_system", "parent", "active")
    list_filter = ("tier", "kind", "clinical_system")
    search_fields = ("code", "name")


admin.site.register(Department)
admin.site.register(ReservedBed)


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "institution", "department", "is_primary", "start_date", "end_date")
    inlines = [StaffRoleInline]


@admin.register(PopulationDenominator)
class DenominatorAdmin(admin.ModelAdmin):
    list_display = ("area", "year", "sex", "age_band", "resident", "registered")
    list_filter = ("year", "age_band")
