"""Password reset by mail: available only when mail is configured, and as fast for an unknown
address as for a known one.

Django's own reset form sends the mail inside the request for a known address and does
nothing for an unknown one, so the answer time tells an attacker which addresses have an
account (an SMTP round trip is tens to hundreds of milliseconds). Here both cases do the same
work in the request (look the address up, make a token, render the message) and the only
difference, talking to the mail server, happens on a background thread after the answer.
Without mail (no EMAIL_HOST and no EMAIL_BACKEND, docs/operations.md) the reset pages answer
404: a form that promises a mail nobody sends would only confuse.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.contrib.auth.views import PasswordResetDoneView, PasswordResetView
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.http import Http404, HttpRequest, HttpResponse
from django.template import loader
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

logger = logging.getLogger(__name__)
_deliveries: list[threading.Thread] = []


def _deliver(message: EmailMultiAlternatives) -> None:
    try:
        message.send()
    except Exception:  # a mail server failure must not reach (or time) the request
        logger.exception("password reset mail to %s was not sent", message.to)


def deliver_later(message: EmailMultiAlternatives) -> None:
    """Send the message on a thread of its own; the request does not wait for the server."""
    thread = threading.Thread(target=_deliver, args=(message,), daemon=True)
    _deliveries[:] = [t for t in _deliveries if t.is_alive()] + [thread]
    thread.start()


def wait_for_deliveries(timeout: float = 10.0) -> None:
    """Block until every mail handed to deliver_later was sent (tests; process shutdown)."""
    for thread in list(_deliveries):
        thread.join(timeout)


class SameTimePasswordResetForm(PasswordResetForm):
    """Django's reset form, with the same work in the request for unknown addresses."""

    def save(
        self,
        domain_override: str | None = None,
        subject_template_name: str = "registration/password_reset_subject.txt",
        email_template_name: str = "registration/password_reset_email.html",
        use_https: bool = False,
        token_generator: PasswordResetTokenGenerator = default_token_generator,
        from_email: str | None = None,
        request: HttpRequest | None = None,
        html_email_template_name: str | None = None,
        extra_email_context: dict | None = None,
    ) -> None:
        """Compose a reset mail for every account of the address, or for a stand-in when there
        is none; only the real ones are delivered (later, off the request)."""
        email = self.cleaned_data["email"]
        if domain_override:
            site_name = domain = domain_override
        else:
            site = get_current_site(request)
            site_name, domain = site.name, site.domain
        user_model = get_user_model()
        field = user_model.get_email_field_name()
        users = list(self.get_users(email))
        # An unsaved stand-in costs the same token and rendering as a real account.
        recipients = users or [user_model(pk=0, **{field: email})]
        for user in recipients:
            user_email = getattr(user, field)
            context = {
                "email": user_email,
                "domain": domain,
                "site_name": site_name,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "user": user,
                "token": token_generator.make_token(user),
                "protocol": "https" if use_https else "http",
                **(extra_email_context or {}),
            }
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
            message = EmailMultiAlternatives(subject, body, from_email, [user_email])
            if html_email_template_name is not None:
                html = loader.render_to_string(html_email_template_name, context)
                message.attach_alternative(html, "text/html")
            if users:
                deliver_later(message)


def needs_mail(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 unless mail is configured (settings.PASSWORD_RESET_ENABLED)."""

    @wraps(view)
    def gated(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404("Password reset is off: this site has no mail configured.")
        return view(request, *args, **kwargs)

    return gated


password_reset = needs_mail(PasswordResetView.as_view(form_class=SameTimePasswordResetForm))
password_reset_done = needs_mail(PasswordResetDoneView.as_view())


def password_reset_context(request: HttpRequest) -> dict[str, bool]:
    """Tells the login page whether to offer "Forgot your password?"."""
    return {"password_reset_enabled": settings.PASSWORD_RESET_ENABLED}
