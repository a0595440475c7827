"""The complaint page links each report and its PDF."""


def page_panels(complaint):
    return [("side", 10, "reports/_panel.html")]
