from django.urls import path

from devices import views, views_lending, views_procurement, views_software
from devices.importing import DEVICES_IMPORT
from portal.imports.urls import import_urls

urlpatterns = [
    path("devices/", views.device_list, name="device_list"),
    path("devices/<int:pk>/", views.device_detail, name="device_detail"),
    path("devices/<int:pk>/status/", views.device_status, name="device_status"),
    path("devices/<int:pk>/lend/", views_lending.device_lend, name="device_lend"),
    path("devices/<int:pk>/repair/", views.device_repair, name="device_repair"),
    path("devices/lend/", views_lending.device_bulk_lend, name="device_bulk_lend"),
    path("devices/loans/", views_lending.loan_list, name="loan_list"),
    path("devices/loans/<int:pk>/return/", views_lending.loan_return, name="loan_return"),
    path("devices/repairs/", views.repair_list, name="repair_list"),
    path("devices/repairs/<int:pk>/close/", views.repair_close, name="repair_close"),
    path("devices/schools/<str:code>/lending-rules/", views_lending.lending_rules, name="lending_rules"),
    *import_urls(DEVICES_IMPORT, "devices/import/"),
    path("devices/batches/", views_procurement.batch_list, name="batch_list"),
    path("devices/batches/new/", views_procurement.batch_create, name="batch_create"),
    path("devices/reconciliation/", views_procurement.reconciliation, name="reconciliation"),
    path("devices/reconciliation/mdm-feed/", views_procurement.mdm_feed, name="mdm_feed"),
    path("devices/inspections/", views_procurement.inspection_list, name="inspection_list"),
    path("devices/expiry/", views_procurement.expiry_list, name="expiry_list"),
    path("devices/wireless/", views_procurement.wireless, name="wireless"),
    path("devices/wireless/distribute/", views_procurement.wireless_distribute, name="wireless_distribute"),
    path("devices/wireless/<int:pk>/", views_procurement.wireless_classrooms, name="wireless_classrooms"),
    path("software/", views_software.software_catalogue, name="software_catalogue"),
    path("software/propose/", views_software.software_propose, name="software_propose"),
    path("software/items/<int:pk>/decide/", views_software.software_decide, name="software_decide"),
    path("software/purchases/", views_software.software_purchases, name="software_purchases"),
    path("software/purchases/export/", views_software.software_purchases_export, name="software_purchases_export"),
]
