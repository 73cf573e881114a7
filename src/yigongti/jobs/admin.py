from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "state", "attempts", "max_attempts", "run_after", "claimed_by", "finished_at")
    list_filter = ("state", "kind")
    readonly_fields = [f.name for f in Job._meta.fields]
