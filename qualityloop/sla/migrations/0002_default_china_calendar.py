"""The default business calendar: Chinese working hours and statutory days (editable).

The days are frozen here as the ``chinese-calendar`` package gave them for 2020–2026 when
this migration was written; later years come from ``qualityloop sync_holidays``.
"""

from datetime import date, time

from django.db import migrations

WINDOWS = (("08:30", "12:00"), ("13:30", "17:30"))
# date kind name
DAYS = """
2020-01-01 holiday 元旦
2020-01-19 workday 调休上班
2020-01-24 holiday 春节
2020-01-25 holiday 春节
2020-01-26 holiday 春节
2020-01-27 holiday 春节
2020-01-28 holiday 春节
2020-01-29 holiday 春节
2020-01-30 holiday 春节
2020-01-31 holiday 春节
2020-02-01 holiday 春节
2020-02-02 holiday 春节
2020-04-04 holiday 清明节
2020-04-05 holiday 清明节
2020-04-06 holiday 清明节
2020-04-26 workday 调休上班
2020-05-01 holiday 劳动节
2020-05-02 holiday 劳动节
2020-05-03 holiday 劳动节
2020-05-04 holiday 劳动节
2020-05-05 holiday 劳动节
2020-05-09 workday 调休上班
2020-06-25 holiday 端午节
2020-06-26 holiday 端午节
2020-06-27 holiday 端午节
2020-06-28 workday 调休上班
2020-09-27 workday 调休上班
2020-10-01 holiday 国庆节
2020-10-02 holiday 国庆节
2020-10-03 holiday 国庆节
2020-10-04 holiday 国庆节
2020-10-05 holiday 国庆节
2020-10-06 holiday 国庆节
2020-10-07 holiday 国庆节
2020-10-08 holiday 国庆节
2020-10-10 workday 调休上班
2021-01-01 holiday 元旦
2021-01-02 holiday 元旦
2021-01-03 holiday 元旦
2021-02-07 workday 调休上班
2021-02-11 holiday 春节
2021-02-12 holiday 春节
2021-02-13 holiday 春节
2021-02-14 holiday 春节
2021-02-15 holiday 春节
2021-02-16 holiday 春节
2021-02-17 holiday 春节
2021-02-20 workday 调休上班
2021-04-03 holiday 清明节
2021-04-04 holiday 清明节
2021-04-05 holiday 清明节
2021-04-25 workday 调休上班
2021-05-01 holiday 劳动节
2021-05-02 holiday 劳动节
2021-05-03 holiday 劳动节
2021-05-04 holiday 劳动节
2021-05-05 holiday 劳动节
2021-05-08 workday 调休上班
2021-06-12 holiday 端午节
2021-06-13 holiday 端午节
2021-06-14 holiday 端午节
2021-09-18 workday 调休上班
2021-09-19 holiday 中秋节
2021-09-20 holiday 中秋节
2021-09-21 holiday 中秋节
2021-09-26 workday 调休上班
2021-10-01 holiday 国庆节
2021-10-02 holiday 国庆节
2021-10-03 holiday 国庆节
2021-10-04 holiday 国庆节
2021-10-05 holiday 国庆节
2021-10-06 holiday 国庆节
2021-10-07 holiday 国庆节
2021-10-09 workday 调休上班
2022-01-01 holiday 元旦
2022-01-02 holiday 元旦
2022-01-03 holiday 元旦
2022-01-29 workday 调休上班
2022-01-30 workday 调休上班
2022-01-31 holiday 春节
2022-02-01 holiday 春节
2022-02-02 holiday 春节
2022-02-03 holiday 春节
2022-02-04 holiday 春节
2022-02-05 holiday 春节
2022-02-06 holiday 春节
2022-04-02 workday 调休上班
2022-04-03 holiday 清明节
2022-04-04 holiday 清明节
2022-04-05 holiday 清明节
2022-04-24 workday 调休上班
2022-04-30 holiday 劳动节
2022-05-01 holiday 劳动节
2022-05-02 holiday 劳动节
2022-05-03 holiday 劳动节
2022-05-04 holiday 劳动节
2022-05-07 workday 调休上班
2022-06-03 holiday 端午节
2022-06-04 holiday 端午节
2022-06-05 holiday 端午节
2022-09-10 holiday 中秋节
2022-09-11 holiday 中秋节
2022-09-12 holiday 中秋节
2022-10-01 holiday 国庆节
2022-10-02 holiday 国庆节
2022-10-03 holiday 国庆节
2022-10-04 holiday 国庆节
2022-10-05 holiday 国庆节
2022-10-06 holiday 国庆节
2022-10-07 holiday 国庆节
2022-10-08 workday 调休上班
2022-10-09 workday 调休上班
2022-12-31 holiday 元旦
2023-01-01 holiday 元旦
2023-01-02 holiday 元旦
2023-01-21 holiday 春节
2023-01-22 holiday 春节
2023-01-23 holiday 春节
2023-01-24 holiday 春节
2023-01-25 holiday 春节
2023-01-26 holiday 春节
2023-01-27 holiday 春节
2023-01-28 workday 调休上班
2023-01-29 workday 调休上班
2023-04-05 holiday 清明节
2023-04-23 workday 调休上班
2023-04-29 holiday 劳动节
2023-04-30 holiday 劳动节
2023-05-01 holiday 劳动节
2023-05-02 holiday 劳动节
2023-05-03 holiday 劳动节
2023-05-06 workday 调休上班
2023-06-22 holiday 端午节
2023-06-23 holiday 端午节
2023-06-24 holiday 端午节
2023-06-25 workday 调休上班
2023-09-29 holiday 中秋节
2023-09-30 holiday 国庆节
2023-10-01 holiday 国庆节
2023-10-02 holiday 国庆节
2023-10-03 holiday 国庆节
2023-10-04 holiday 国庆节
2023-10-05 holiday 国庆节
2023-10-06 holiday 国庆节
2023-10-07 workday 调休上班
2023-10-08 workday 调休上班
2023-12-30 holiday 元旦
2023-12-31 holiday 元旦
2024-01-01 holiday 元旦
2024-02-04 workday 调休上班
2024-02-10 holiday 春节
2024-02-11 holiday 春节
2024-02-12 holiday 春节
2024-02-13 holiday 春节
2024-02-14 holiday 春节
2024-02-15 holiday 春节
2024-02-16 holiday 春节
2024-02-17 holiday 春节
2024-02-18 workday 调休上班
2024-04-04 holiday 清明节
2024-04-05 holiday 清明节
2024-04-06 holiday 清明节
2024-04-07 workday 调休上班
2024-04-28 workday 调休上班
2024-05-01 holiday 劳动节
2024-05-02 holiday 劳动节
2024-05-03 holiday 劳动节
2024-05-04 holiday 劳动节
2024-05-05 holiday 劳动节
2024-05-11 workday 调休上班
2024-06-10 holiday 端午节
2024-09-14 workday 调休上班
2024-09-15 holiday 中秋节
2024-09-16 holiday 中秋节
2024-09-17 holiday 中秋节
2024-09-29 workday 调休上班
2024-10-01 holiday 国庆节
2024-10-02 holiday 国庆节
2024-10-03 holiday 国庆节
2024-10-04 holiday 国庆节
2024-10-05 holiday 国庆节
2024-10-06 holiday 国庆节
2024-10-07 holiday 国庆节
2024-10-12 workday 调休上班
2025-01-01 holiday 元旦
2025-01-26 workday 调休上班
2025-01-28 holiday 春节
2025-01-29 holiday 春节
2025-01-30 holiday 春节
2025-01-31 holiday 春节
2025-02-01 holiday 春节
2025-02-02 holiday 春节
2025-02-03 holiday 春节
2025-02-04 holiday 春节
2025-02-08 workday 调休上班
2025-04-04 holiday 清明节
2025-04-05 holiday 清明节
2025-04-06 holiday 清明节
2025-04-27 workday 调休上班
2025-05-01 holiday 劳动节
2025-05-02 holiday 劳动节
2025-05-03 holiday 劳动节
2025-05-04 holiday 劳动节
2025-05-05 holiday 劳动节
2025-05-31 holiday 端午节
2025-06-01 holiday 端午节
2025-06-02 holiday 端午节
2025-09-28 workday 调休上班
2025-10-01 holiday 国庆节
2025-10-02 holiday 国庆节
2025-10-03 holiday 国庆节
2025-10-04 holiday 国庆节
2025-10-05 holiday 国庆节
2025-10-06 holiday 中秋节
2025-10-07 holiday 国庆节
2025-10-08 holiday 国庆节
2025-10-11 workday 调休上班
2026-01-01 holiday 元旦
2026-01-02 holiday 元旦
2026-01-03 holiday 元旦
2026-01-04 workday 调休上班
2026-02-14 workday 调休上班
2026-02-15 holiday 春节
2026-02-16 holiday 春节
2026-02-17 holiday 春节
2026-02-18 holiday 春节
2026-02-19 holiday 春节
2026-02-20 holiday 春节
2026-02-21 holiday 春节
2026-02-22 holiday 春节
2026-02-23 holiday 春节
2026-02-28 workday 调休上班
2026-04-04 holiday 清明节
2026-04-05 holiday 清明节
2026-04-06 holiday 清明节
2026-05-01 holiday 劳动节
2026-05-02 holiday 劳动节
2026-05-03 holiday 劳动节
2026-05-04 holiday 劳动节
2026-05-05 holiday 劳动节
2026-05-09 workday 调休上班
2026-06-19 holiday 端午节
2026-06-20 holiday 端午节
2026-06-21 holiday 端午节
2026-09-20 workday 调休上班
2026-09-25 holiday 中秋节
2026-09-26 holiday 中秋节
2026-09-27 holiday 中秋节
2026-10-01 holiday 国庆节
2026-10-02 holiday 国庆节
2026-10-03 holiday 国庆节
2026-10-04 holiday 国庆节
2026-10-05 holiday 国庆节
2026-10-06 holiday 国庆节
2026-10-07 holiday 国庆节
2026-10-10 workday 调休上班
"""


def forward(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    WorkingWindow = apps.get_model("sla", "WorkingWindow")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    calendar, created = BusinessCalendar.objects.get_or_create(
        code="cn-default",
        defaults={"name": "中国标准工作日历 China working calendar", "time_zone": "Asia/Shanghai"},
    )
    if created:
        WorkingWindow.objects.bulk_create(
            WorkingWindow(
                calendar=calendar,
                weekday=weekday,
                start=time.fromisoformat(start),
                end=time.fromisoformat(end),
            )
            for weekday in range(5)
            for start, end in WINDOWS
        )
    existing = set(CalendarDay.objects.filter(calendar=calendar).values_list("date", flat=True))
    new = []
    for line in DAYS.strip().splitlines():
        day, kind, name = line.split(" ", 2)
        if date.fromisoformat(day) not in existing:
            new.append(
                CalendarDay(calendar=calendar, date=date.fromisoformat(day), kind=kind, name=name)
            )
    CalendarDay.objects.bulk_create(new)


def backward(apps, schema_editor):
    apps.get_model("sla", "BusinessCalendar").objects.filter(code="cn-default").delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
