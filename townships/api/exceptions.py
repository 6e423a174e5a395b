"""One place that turns a service's refusal (Django's ValidationError) into a 400 with its Chinese messages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from townships.services import denial_record


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: services raise Django's ValidationError; API clients get a 400
    with the same messages (per field where the service named one), never a 500."""
    if isinstance(exc, PermissionDenied) and "request" in context:
        denial_record(context["request"], reason=exc.detail)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    return drf_exception_handler(exc, context)
