from django import forms
from django.contrib import admin

from devices.brands import blocked_match, refusal_message
from devices.models import (
    BlockedBrand,
    Device,
    InspectionCount,
    Loan,
    ProcurementBatch,
    RepairTicket,
    SoftwareItem,
    SoftwarePurchase,
)
from devices.selectors import blocked_brand_pairs


@admin.register(BlockedBrand)
class BlockedBrandAdmin(admin.ModelAdmin):
    """Admins maintain the blocked list here; every register checks against it."""

    list_display = ("name", "note", "created_at")
    search_fields = ("name", "note")


class SoftwareItemForm(forms.ModelForm):
    class Meta:
        model = SoftwareItem
        fields = ["name", "vendor", "brand", "unit", "unit_price", "status", "security_statement", "refusal_reason"]

    def clean(self):
        data = super().clean()
        blocked = blocked_brand_pairs()
        for key in ("brand", "vendor"):
            name = blocked_match(data.get(key) or "", blocked)
            if name:
                self.add_error(key, refusal_message(data[key], name))
        return data


@admin.register(SoftwareItem)
class SoftwareItemAdmin(admin.ModelAdmin):
    """The MOE's recommended catalogue (status 推薦品項) is maintained by admins."""

    form = SoftwareItemForm
    list_display = ("name", "vendor", "brand", "unit", "unit_price", "status", "proposed_by_county")
    list_filter = ("status",)
    search_fields = ("name", "vendor", "brand")


class ReadOnly(admin.ModelAdmin):
    """Devices change through their pages and services, which keep statuses consistent."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProcurementBatch)
class BatchAdmin(ReadOnly):
    list_display = ("tender_number", "county", "plan_year", "brand", "model_name", "quantity", "delivery_date")
    list_filter = ("county", "plan_year", "funding")


@admin.register(Device)
class DeviceAdmin(ReadOnly):
    list_display = ("serial", "county", "school", "status", "batch")
    list_select_related = ("county", "school", "batch")
    search_fields = ("serial", "asset_tag")
    show_full_result_count = False
    raw_id_fields = ("school", "batch")


for model in (Loan, RepairTicket, InspectionCount, SoftwarePurchase):
    admin.site.register(model, ReadOnly)
