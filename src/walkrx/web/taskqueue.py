"""The tasks API: ``django.tasks`` on Django 6, the django-tasks package on Django 5.2."""

from __future__ import annotations

from importlib.util import find_spec

if find_spec("django.tasks") is not None:  # pragma: no cover - depends on the Django version
    from django.tasks import task
else:  # pragma: no cover
    from django_tasks import task  # type: ignore[no-redef]

__all__ = ["task"]
