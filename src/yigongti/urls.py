"""Root URL configuration. Each app mounts its pages under its own prefix; the API under /api/v1/."""
from django.contrib import admin
from django.urls import include, path

from yigongti.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("accounts/", include("yigongti.web.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("yigongti.org.urls")),
    path("audit/", include("yigongti.audit.urls")),
    path("tasks/", include("yigongti.tasks.urls")),
    path("jobs/", include("yigongti.jobs.urls")),
    path("people/", include("yigongti.people.urls")),
    path("kpi/", include("yigongti.kpi.urls")),
    path("chronic/", include("yigongti.chronic.urls")),
    path("familydoctor/", include("yigongti.familydoctor.urls")),
    path("referrals/", include("yigongti.referrals.urls")),
    path("pharmacy/", include("yigongti.pharmacy.urls")),
    path("experts/", include("yigongti.experts.urls")),
    path("diagnostics/", include("yigongti.diagnostics.urls")),
    path("finance/", include("yigongti.finance.urls")),
    path("fhir/", include("yigongti.fhir.urls")),
    path("api/v1/", include("yigongti.api.urls")),
    path("admin/", admin.site.urls),
]


handler404 = "yigongti.api.views.not_found"
handler500 = "yigongti.ops.views.server_error"
