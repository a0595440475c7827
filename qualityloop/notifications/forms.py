from django import forms

from .choices import Channel, NotifyEvent


def field_name(event: str, channel: str) -> str:
    return f"{event}__{channel}"


class PreferencesForm(forms.Form):
    """One checkbox per event and channel; an unchecked box turns that channel off."""

    def __init__(self, *args, grid: dict[tuple[str, str], bool], **kwargs):
        super().__init__(*args, **kwargs)
        for event in NotifyEvent:
            for channel in Channel:
                self.fields[field_name(event, channel)] = forms.BooleanField(
                    label=f"{event.label}: {channel.label}",
                    required=False,
                    initial=grid[event, channel],
                )

    channels = list(Channel)

    def rows(self) -> list[dict]:
        return [
            {
                "event": event,
                "label": event.label,
                "cells": [self[field_name(event, channel)] for channel in Channel],
            }
            for event in NotifyEvent
        ]

    def choices(self) -> dict[tuple[str, str], bool]:
        return {
            (event.value, channel.value): self.cleaned_data[field_name(event, channel)]
            for event in NotifyEvent
            for channel in Channel
        }
