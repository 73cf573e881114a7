"""/api/v1/tasks/: my to-dos; POST /api/v1/tasks/{id}/complete/."""
from django.shortcuts import get_object_or_404
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .actions import complete_task
from .models import Task, TaskState
from .queries import tasks_for

ROOT_LINKS = {"tasks": "api:task-list"}


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title", "kind", "assignee", "role", "institution", "group_kind", "group_id", "due_at",
                  "source_type", "source_id", "source_display", "source_url", "state", "created_at", "completed_at"]
        read_only_fields = fields


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """My to-dos. ?state=open (default) | done | cancelled | all."""

    serializer_class = TaskSerializer

    def get_queryset(self):
        state = self.request.query_params.get("state", TaskState.OPEN)
        return tasks_for(self.request.user, None if state == "all" else state)

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = get_object_or_404(tasks_for(request.user, None), pk=pk)
        return Response(TaskSerializer(complete_task(request.user, task)).data)


def register(router):
    router.register("tasks", TaskViewSet, basename="task")
