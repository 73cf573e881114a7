from django.urls import path

from . import views

app_name = "pharmacy"
urlpatterns = [
    path("", views.home, name="home"),
    path("drugs/", views.drug_list, name="drugs"),
    path("drugs/new/", views.drug_edit, name="drug_new"),
    path("drugs/<int:pk>/edit/", views.drug_edit, name="drug_edit"),
    path("drugs/import/", views.drug_import, name="drug_import"),
    path("stock/<int:inst>/", views.stock, name="stock"),
    path("stock/<int:inst>/moves/", views.moves, name="moves"),
    path("stock/<int:inst>/stocktake/", views.stocktake, name="stocktake"),
    path("stock/<int:inst>/cost-source/", views.cost_source, name="cost_source"),
    path("batches/<int:pk>/scrap/", views.scrap, name="scrap"),
    path("cabinet/<int:inst>/", views.cabinet, name="cabinet"),
    path("replenishments/", views.replenishments, name="replenishments"),
    path("replenishments/<int:pk>/", views.replenishment, name="replenishment"),
    path("replenishments/<int:pk>/fulfil/", views.fulfil, name="fulfil"),
    path("prescriptions/", views.prescriptions, name="prescriptions"),
    path("prescriptions/new/", views.prescription_new, name="prescription_new"),
    path("prescriptions/<int:pk>/", views.prescription, name="prescription"),
    path("prescriptions/<int:pk>/dispense/", views.dispense, name="dispense"),
    path("prescriptions/<int:pk>/review/", views.review, name="review"),
    path("prescriptions/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("purchasing/", views.purchasing, name="purchasing"),
    path("purchasing/plans/<int:pk>/decide/", views.plan_decide, name="plan_decide"),
    path("purchasing/plans/new/", views.plan_new, name="plan_new"),
    path("purchasing/orders/<int:pk>/", views.order, name="order"),
    path("purchasing/orders/<int:pk>/delivery/", views.order_delivery, name="order_delivery"),
    path("purchasing/orders/<int:pk>/invoice/", views.order_invoice, name="order_invoice"),
    path("missing/", views.missing, name="missing"),
    path("missing/<int:pk>/supplied/", views.missing_supplied, name="missing_supplied"),
]
