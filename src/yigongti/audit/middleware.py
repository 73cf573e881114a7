"""Request context for the audit log: who is acting, from where, on which request.

Actions read it through ``audit.context.current()`` so an audit entry written deep inside an action
still carries the user, institution and client address of the request (or the job/command)."""
from .context import bind_request


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with bind_request(request):
            return self.get_response(request)
