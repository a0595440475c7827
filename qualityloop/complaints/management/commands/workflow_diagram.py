from django.core.management.base import BaseCommand

from qualityloop.complaints import workflow


class Command(BaseCommand):
    help = "Print the complaint workflow as a Mermaid diagram and table (docs/workflow.md)."

    def handle(self, *args, **options):
        self.stdout.write(workflow.document(), ending="")
