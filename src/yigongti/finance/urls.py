from django.urls import path

from . import views

app_name = "finance"
urlpatterns = [
    path("", views.index, name="index"),
    path("budget/", views.budget_years, name="budget_years"),
    path("budget/<int:year>/", views.budget_year, name="budget_year"),
    path("budget/<int:year>/settle/", views.settle, name="settle"),
    path("budget/<int:year>/statement/", views.statement, name="statement"),
    path("budget/<int:year>/penalties/", views.penalties, name="penalties"),
    path("settlements/", views.settlements, name="settlements"),
    path("public-health/", views.public_health, name="public_health"),
    path("public-health/<int:pk>/", views.public_health_fund, name="public_health_fund"),
    path("workpoints/", views.sheets, name="sheets"),
    path("workpoints/<int:pk>/", views.sheet, name="sheet"),
    path("workpoints/<int:pk>/review/", views.sheet_review, name="sheet_review"),
    path("workpoints/<int:pk>/approve/", views.sheet_approve, name="sheet_approve"),
    path("workpoints/<int:pk>/reopen/", views.sheet_reopen, name="sheet_reopen"),
    path("workpoints/<int:pk>/recompute/", views.sheet_recompute, name="sheet_recompute"),
    path("workpoints/<int:pk>/lines/<int:line>/adjust/", views.line_adjust, name="line_adjust"),
    path("expenses/", views.expenses, name="expenses"),
    path("expenses/<int:pk>/", views.expense, name="expense"),
    path("expenses/<int:pk>/approve/", views.expense_decide, {"decision": "approve"}, name="expense_approve"),
    path("expenses/<int:pk>/reject/", views.expense_decide, {"decision": "reject"}, name="expense_reject"),
]
