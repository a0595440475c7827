"""The default message templates, in Chinese and English. Administrators edit them in the
admin; this only adds those that are missing."""

from django.db import migrations

TEMPLATES = {
    ("acknowledgement", "zh-hans"): (
        "您的投诉已受理（编号 {{ complaint.number }}）",
        """尊敬的{{ complaint.complainant_name }}：

您好！感谢您就“{{ complaint.title }}”向我们反馈。我们已于{{ complaint.received_at|date:"Y年n月j日 H:i" }}收到您的投诉，并登记为 {{ complaint.number }}。今后就此事与我们联系时，请注明该编号，以便我们快速查询。

接下来，我们的质量团队将对问题进行核实和分析，并于{{ reply_by|date:"Y年n月j日 H:i" }}（北京时间）前向您告知处理进展和预计完成时间。如您有补充资料（如照片、批号、检测报告等），欢迎直接回复本邮件。

对于给您带来的不便，我们深表歉意，感谢您的理解与支持！

此致
敬礼

客户服务部""",
    ),
    ("acknowledgement", "en"): (
        "We have received your complaint {{ complaint.number }}",
        """Dear {{ complaint.complainant_name }},

Thank you for telling us about "{{ complaint.title }}". We received your complaint on {{ complaint.received_at|date:"j F Y, H:i" }} and have registered it under the reference {{ complaint.number }}. Please quote this reference whenever you contact us about it.

What happens next: our quality team will review and investigate the matter, and we will update you on our progress and the expected resolution date by {{ reply_by|date:"j F Y, H:i" }} (Beijing time, UTC+8). If you have further information, such as photos, lot numbers or test reports, simply reply to this e-mail.

We are sorry for the inconvenience and thank you for your patience.

Kind regards,
Customer Service""",
    ),
    ("progress", "zh-hans"): (
        "投诉 {{ complaint.number }} 处理进展",
        """尊敬的{{ complaint.complainant_name }}：

您好！现将您的投诉“{{ complaint.title }}”（编号 {{ complaint.number }}）的处理进展告知如下。

当前阶段：{{ stage }}{% if message %}

{{ message }}{% endif %}

我们将持续跟进，并及时向您通报后续进展。如有任何疑问，请直接回复本邮件。

此致
敬礼

客户服务部""",
    ),
    ("progress", "en"): (
        "Progress on your complaint {{ complaint.number }}",
        """Dear {{ complaint.complainant_name }},

We would like to update you on your complaint "{{ complaint.title }}" (reference {{ complaint.number }}).

Current stage: {{ stage }}{% if message %}

{{ message }}{% endif %}

We will keep you informed as the work continues. If you have any questions, please reply to this e-mail.

Kind regards,
Customer Service""",
    ),
    ("answer", "zh-hans"): (
        "关于您的投诉 {{ complaint.number }} 的处理方案",
        """尊敬的{{ complaint.complainant_name }}：

您好！针对您反馈的“{{ complaint.title }}”（投诉编号 {{ complaint.number }}），经调查分析，我们的处理方案如下：

{{ complaint.customer_answer }}

如您对上述方案有任何疑问或不同意见，请直接回复本邮件，我们将及时与您沟通。再次感谢您的反馈，这将帮助我们不断改进产品和服务质量。

此致
敬礼

客户服务部""",
    ),
    ("answer", "en"): (
        "Our answer to your complaint {{ complaint.number }}",
        """Dear {{ complaint.complainant_name }},

Following our investigation of "{{ complaint.title }}" (reference {{ complaint.number }}), this is how we propose to resolve it:

{{ complaint.customer_answer }}

If you have any questions about this, or do not agree with it, please reply to this e-mail and we will get back to you promptly. Thank you again for your feedback; it helps us improve our products and service.

Kind regards,
Customer Service""",
    ),
    ("closure", "zh-hans"): (
        "您的投诉 {{ complaint.number }} 已处理完毕",
        """尊敬的{{ complaint.complainant_name }}：

您好！您反馈的“{{ complaint.title }}”（投诉编号 {{ complaint.number }}）已处理完毕，现予以关闭。感谢您在处理过程中给予的耐心与配合。

如问题再次出现，或您对处理结果仍有疑问，请回复本邮件并注明投诉编号，我们将继续为您跟进。

此致
敬礼

客户服务部""",
    ),
    ("closure", "en"): (
        "Your complaint {{ complaint.number }} is resolved and closed",
        """Dear {{ complaint.complainant_name }},

Your complaint "{{ complaint.title }}" (reference {{ complaint.number }}) has been resolved, and we have now closed it. Thank you for your patience and cooperation while we worked on it.

Should the problem occur again, or if you have any questions about the outcome, please reply to this e-mail quoting the reference and we will follow it up.

Kind regards,
Customer Service""",
    ),
    ("rejection", "zh-hans"): (
        "关于您的投诉 {{ complaint.number }} 的处理结果",
        """尊敬的{{ complaint.complainant_name }}：

您好！感谢您就“{{ complaint.title }}”（投诉编号 {{ complaint.number }}）与我们联系。经认真核实，我们无法将此事作为投诉受理，原因说明如下：

{{ complaint.customer_answer }}

如您对此有不同意见，或能提供进一步的信息（如照片、批号、检测报告等），请直接回复本邮件，我们将重新评估。给您带来的不便，敬请谅解。

此致
敬礼

客户服务部""",
    ),
    ("rejection", "en"): (
        "About your complaint {{ complaint.number }}",
        """Dear {{ complaint.complainant_name }},

Thank you for contacting us about "{{ complaint.title }}" (reference {{ complaint.number }}). After careful review, we are unable to accept this as a complaint, for the following reasons:

{{ complaint.customer_answer }}

If you disagree, or can give us further information such as photos, lot numbers or test reports, please reply to this e-mail and we will look at it again. We apologise for any inconvenience.

Kind regards,
Customer Service""",
    ),
    ("request_information", "zh-hans"): (
        "投诉 {{ complaint.number }}：请补充相关信息",
        """尊敬的{{ complaint.complainant_name }}：

您好！为尽快处理您的投诉“{{ complaint.title }}”（编号 {{ complaint.number }}），我们需要您补充以下信息：

{{ message }}

请直接回复本邮件提供上述信息，我们收到后将立即继续处理。感谢您的配合！

此致
敬礼

客户服务部""",
    ),
    ("request_information", "en"): (
        "Your complaint {{ complaint.number }}: we need some more information",
        """Dear {{ complaint.complainant_name }},

To resolve your complaint "{{ complaint.title }}" (reference {{ complaint.number }}) as quickly as possible, we need the following information from you:

{{ message }}

Please reply to this e-mail with these details and we will continue at once. Thank you for your help.

Kind regards,
Customer Service""",
    ),
    ("custom", "zh-hans"): (
        "关于您的投诉 {{ complaint.number }}",
        """尊敬的{{ complaint.complainant_name }}：

您好！

{{ message }}

此致
敬礼

客户服务部""",
    ),
    ("custom", "en"): (
        "About your complaint {{ complaint.number }}",
        """Dear {{ complaint.complainant_name }},

{{ message }}

Kind regards,
Customer Service""",
    ),
}


def forward(apps, schema_editor):
    MessageTemplate = apps.get_model("correspondence", "MessageTemplate")
    for (code, language), (subject, body) in TEMPLATES.items():
        MessageTemplate.objects.get_or_create(
            code=code,
            language=language,
            defaults={"subject": subject, "body": body, "is_active": True},
        )


class Migration(migrations.Migration):
    dependencies = [("correspondence", "0001_initial")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
