"""The default cause-code tree: the 6M heads (人机料法环测) plus design and transport, each
with the causes most often found under it. Administrators edit the tree in the admin."""

from django.db import migrations

# (code, Chinese, English, parent code)
CAUSE_CODES = [
    ("MAN", "人", "Man", None),
    ("MAN-01", "培训或技能不足", "Training or skill", "MAN"),
    ("MAN-02", "操作失误", "Operation error", "MAN"),
    ("MAN-03", "疲劳", "Fatigue", "MAN"),
    ("MACH", "机", "Machine", None),
    ("MACH-01", "设备磨损", "Wear", "MACH"),
    ("MACH-02", "参数设置错误", "Setting", "MACH"),
    ("MACH-03", "维护保养不到位", "Maintenance", "MACH"),
    ("MAT", "料", "Material", None),
    ("MAT-01", "供应商来料缺陷", "Supplier defect", "MAT"),
    ("MAT-02", "来料检验漏检", "Incoming inspection escape", "MAT"),
    ("MAT-03", "储存不当", "Storage", "MAT"),
    ("METH", "法", "Method", None),
    ("METH-01", "作业指导书缺失或不清", "Work instruction missing or unclear", "METH"),
    ("METH-02", "工艺设计", "Process design", "METH"),
    ("METH-03", "变更控制", "Change control", "METH"),
    ("ENV", "环", "Environment", None),
    ("ENV-01", "温湿度", "Temperature or humidity", "ENV"),
    ("ENV-02", "静电防护", "ESD", "ENV"),
    ("ENV-03", "污染", "Contamination", "ENV"),
    ("MEAS", "测", "Measurement", None),
    ("MEAS-01", "量具误差", "Gauge error", "MEAS"),
    ("MEAS-02", "抽样方案", "Sampling plan", "MEAS"),
    ("MEAS-03", "漏检", "Inspection skipped", "MEAS"),
    ("DES", "设计", "Design", None),
    ("DES-01", "设计缺陷", "Design defect", "DES"),
    ("DES-02", "公差设计不当", "Tolerance design", "DES"),
    ("DES-03", "设计验证不足", "Design validation", "DES"),
    ("TRANS", "运输", "Transport", None),
    ("TRANS-01", "包装防护不足", "Packaging protection", "TRANS"),
    ("TRANS-02", "装卸搬运", "Handling", "TRANS"),
    ("TRANS-03", "运输条件", "Transport conditions", "TRANS"),
]


def forward(apps, schema_editor):
    """Create every default code that is missing; codes already there are left as edited."""
    CauseCode = apps.get_model("investigation", "CauseCode")
    existing = {c.code: c for c in CauseCode.objects.all()}
    for code, zh, en, parent in CAUSE_CODES:
        if code not in existing:
            existing[code] = CauseCode.objects.create(
                code=code, name_zh=zh, name_en=en, parent=existing.get(parent)
            )


def backward(apps, schema_editor):
    CauseCode = apps.get_model("investigation", "CauseCode")
    codes = [code for code, *_ in CAUSE_CODES]
    CauseCode.objects.filter(code__in=codes, parent__isnull=False).delete()
    CauseCode.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("investigation", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
