from django.contrib import admin

from .models import Batch, Contact, Customer, Product, Site, Supplier


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 1


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "tier", "region", "is_active"]
    list_filter = ["kind", "tier", "is_active"]
    search_fields = ["code", "name"]
    inlines = [ContactInline]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "model", "product_line", "site", "warranty_months", "is_active"]
    list_filter = ["product_line", "site", "is_active"]
    search_fields = ["code", "name", "model"]


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["lot_number", "product", "production_date", "site", "quantity"]
    list_filter = ["site"]
    search_fields = ["lot_number", "product__name", "product__model"]
    raw_id_fields = ["product"]
    date_hierarchy = "production_date"


admin.site.register(Site)


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "material", "is_active"]
    search_fields = ["code", "name", "material"]
