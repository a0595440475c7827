"""The defaults PRODUCT.md ships: the category tree and the grading rules. Both are editable."""

from django.db import migrations

CATEGORIES = [
    ("product-quality", "产品质量", "Product quality", None),
    ("appearance", "外观", "Appearance", "product-quality"),
    ("function", "功能", "Function", "product-quality"),
    ("performance", "性能", "Performance", "product-quality"),
    ("safety", "安全", "Safety", "product-quality"),
    ("packaging", "包装", "Packaging", "product-quality"),
    ("delivery", "交付", "Delivery", None),
    ("service-attitude", "服务态度", "Service attitude", None),
    ("documentation", "文件资料", "Documentation", None),
    ("other", "其他", "Other", None),
]

# (priority, name, severity, conditions); severity 1 critical, 2 major, 3 minor.
RULES = [
    (10, "涉及安全或法规 Safety or regulatory impact", 1, {"safety_or_regulatory": True}),
    (20, "客户产线停线 Customer line down", 1, {"line_down": True}),
    (30, "多个客户受影响 Several customers affected", 1, {"min_scope": 4}),
    (40, "批量问题 Batch problem", 2, {"min_scope": 3}),
    (50, "要求退货或索赔 Return or claim requested", 2, {"claim_or_return": True}),
    (60, "重复投诉 Repeat complaint", 2, {"repeat": True}),
]


def forward(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    GradingRule = apps.get_model("complaints", "GradingRule")
    by_code = {}
    for position, (code, zh, en, parent) in enumerate(CATEGORIES):
        by_code[code] = Category.objects.create(
            code=code, name_zh=zh, name_en=en, parent=by_code.get(parent), position=position
        )
    for priority, name, severity, conditions in RULES:
        GradingRule.objects.create(priority=priority, name=name, severity=severity, **conditions)


def backward(apps, schema_editor):
    apps.get_model("complaints", "GradingRule").objects.all().delete()
    Category = apps.get_model("complaints", "Category")
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_search_index_and_append_only")]

    operations = [migrations.RunPython(forward, backward)]
