from django.contrib.auth import views as auth_views
from django.urls import path

from . import account_views
from .forms import LoginForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html", authentication_form=LoginForm,
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("2fa/setup/", account_views.otp_setup, name="otp_setup"),
    path("2fa/verify/", account_views.otp_verify, name="otp_verify"),
    path("2fa/recovery-codes/", account_views.recovery_codes, name="otp_recovery_codes"),
    path("2fa/disable/", account_views.otp_disable, name="otp_disable"),
    path("security/", account_views.security, name="account_security"),
    path("sessions/end/", account_views.sign_out_all, name="sign_out_all"),
    path("history/", account_views.login_history, name="login_history"),
]
