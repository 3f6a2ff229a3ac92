"""The background work in the admin: read-only, and only for superusers (the system admin).

Shows the queue (queued, running, failed with the error, attempts, next run), the periodic
runs and the workers with their last sign of life. Nothing can be changed here: a job is
changed by its code, and a failed job by enqueueing it again from a shell.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult, get_date_max

from alliantiemonitor.jobs.constants import STATUS_LABELS
from alliantiemonitor.jobs.models import Job, PeriodicRun, Worker
from alliantiemonitor.jobs.registry import periodic_job

# django-tasks-db's own page shows the same table without attempts or errors in the list.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


class SystemAdminOnly(admin.ModelAdmin):
    """Read-only, superusers only: jobs' errors may name anything the job touched."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StatusFilter(admin.SimpleListFilter):
    """The queue's states in the admin's words; django-tasks' own labels are English only."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return list(STATUS_LABELS.items())

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        return queryset.filter(status=self.value()) if self.value() else queryset


class QueueFilter(admin.SimpleListFilter):
    """The queues that hold jobs, under a translated title (the field's name is English)."""

    title = _("queue")
    parameter_name = "queue_name"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        names = Job.objects.order_by("queue_name").values_list("queue_name", flat=True)
        return [(name, name) for name in names.distinct()]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        return queryset.filter(queue_name=self.value()) if self.value() else queryset


@admin.register(Job)
class JobAdmin(SystemAdminOnly):
    list_display = [
        "task_name",
        "state",
        "attempts",
        "next_run",
        "enqueued_at",
        "started_at",
        "finished_at",
        "error",
    ]
    list_filter = [StatusFilter, QueueFilter]
    search_fields = ["task_path", "exception_class_path"]
    ordering = ["-enqueued_at"]
    fields = readonly_fields = [
        "id",
        "task_path",
        "state",
        "attempts",
        "next_run",
        "args_kwargs",
        "queue_name",
        "priority",
        "enqueued_at",
        "started_at",
        "finished_at",
        "worker_ids",
        "return_value",
        "exception_class_path",
        "error_traceback",
    ]
    show_full_result_count = False

    @admin.display(description=_("job"))
    def task_name(self, obj: Job) -> str:
        return obj.task_path

    @admin.display(description=_("status"), ordering="status")
    def state(self, obj: Job) -> str:
        if obj.status == "READY" and obj.exception_class_path:
            return str(_("waiting to be tried again"))
        return str(STATUS_LABELS.get(obj.status, obj.status))

    @admin.display(description=_("attempts"))
    def attempts(self, obj: Job) -> str:
        return f"{len(obj.worker_ids)} / {settings.ALLIANTIEMONITOR_JOB_ATTEMPTS}"

    @admin.display(description=_("next run"))
    def next_run(self, obj: Job) -> dt.datetime | str:
        if obj.status != "READY":
            return "–"
        if obj.run_after == get_date_max() or obj.run_after <= timezone.now():
            return _("as soon as a worker is free")
        return obj.run_after

    @admin.display(description=_("error"))
    def error(self, obj: Job) -> str:
        return obj.exception_class_path.rsplit(".", 1)[-1] if obj.exception_class_path else "–"

    @admin.display(description=_("traceback"))
    def error_traceback(self, obj: Job) -> str:
        return format_html("<pre>{}</pre>", obj.traceback) if obj.traceback else "–"


@admin.register(PeriodicRun)
class PeriodicRunAdmin(SystemAdminOnly):
    list_display = ["name", "due_at", "next_due", "enqueued_at", "job_status"]
    list_filter = ["name"]
    fields = readonly_fields = ["name", "slot", "due_at", "next_due", "enqueued_at", "job_id"]
    show_full_result_count = False

    @admin.display(description=_("next period"))
    def next_due(self, obj: PeriodicRun) -> dt.datetime | str:
        job = periodic_job(obj.name)
        return job.slot_start(obj.slot + 1) if job else "–"

    @admin.display(description=_("job status"))
    def job_status(self, obj: PeriodicRun) -> str:
        status = Job.objects.filter(pk=obj.job_id).values_list("status", flat=True).first()
        return str(STATUS_LABELS.get(status, "–")) if status else "–"


@admin.register(Worker)
class WorkerAdmin(SystemAdminOnly):
    list_display = ["worker_id", "hostname", "pid", "started_at", "seen_at", "alive"]
    fields = readonly_fields = ["worker_id", "hostname", "pid", "started_at", "seen_at", "alive"]

    @admin.display(description=_("alive"), boolean=True)
    def alive(self, obj: Worker) -> bool:
        return Worker.objects.alive().filter(pk=obj.pk).exists()
