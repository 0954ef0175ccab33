"""Two-step sign-in: authenticator codes (RFC 6238) and single-use recovery codes.

Codes
    6 digits, 30-second steps (pyotp), accepted one step either side of the server's
    clock (±30 s of drift). A code is accepted only for a step later than the last one
    accepted, by a conditional ``UPDATE … WHERE last_used_step < step``: a code, or an
    older one, never works twice, not even for two requests at the same instant. Wrong
    codes count against the same limits as wrong passwords (``LOGIN_PER_ACCOUNT`` and
    ``LOGIN_PER_ADDRESS``). Recovery codes (10, shown once, stored as SHA-256) work once
    each, and each use is mailed to the person.

Secrets at rest
    The base32 secret must be readable to check codes, so it is encrypted rather than
    hashed: Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under a key
    derived with HKDF-SHA256 from ``TIERSLIEU_SECRET_KEY``. A copy of the database alone
    reveals no secret. Changing the secret key makes the stored secrets unreadable, so
    everyone's second factor must then be set up again: admins reset people, and
    ``tierslieu createadmin --email … --totp-secret …`` re-enrols an admin.

Staff
    Holders of a role in ``permissions.STAFF_ROLES`` must have a second factor: their
    session is marked ``needs_two_factor`` until they enrol, which the shell's
    ``AuthMiddleware`` turns into a redirect to the enrolment page (or a 403
    ``two_factor_required``), and they cannot create API tokens. Tokens created earlier
    keep working until revoked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from datetime import datetime, timedelta
from functools import cache
from urllib.parse import urlencode

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from accounts import permissions
from accounts.models import PendingLogin, RecoveryCode, TwoFactor, User
from tierslieu import clock, mail, passwords
from tierslieu.errors import N_, Forbidden, Invalid, Unauthorized
from tierslieu.ratelimit import LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS, RateLimiter

ISSUER = "Tiers-lieu"
VALID_WINDOW = 1  # steps accepted either side of the current one
MIN_SECRET_BYTES = 16  # RFC 4226 §4: at least 128 bits
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i to misread
RECOVERY_LENGTH = 12  # about 60 random bits
PENDING_TTL = timedelta(minutes=5)
PENDING_MAX_ATTEMPTS = 5

ENROL_PATH = "/me/two-factor"
# What a staff session without a second factor may still reach: enrolling, signing out,
# static files, the health check, the language switch, legal pages and links from mails.
OPEN_PATHS = frozenset({"/logout", "/healthz", "/verify-email", "/email/confirm", "/mail/unsubscribe"})
OPEN_PREFIXES = (ENROL_PATH, "/static/", "/lang/", "/pages/")


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- errors ------------------------------------------------------------------------------


def required_error() -> Forbidden:
    return Forbidden(
        "two_factor_required",
        N_("Your role requires two-step sign-in: set it up on your profile first."),
    )


def otp_required_error() -> Unauthorized:
    return Unauthorized("otp_required", N_("This account uses two-step sign-in: send the code too (field otp)."))


def _wrong_code(signed_in: bool) -> Invalid | Unauthorized:
    message = N_("This code is wrong or was already used.")
    if signed_in:
        return Invalid("invalid", N_("Some fields are missing or invalid."), fields={"code": message})
    return Unauthorized("bad_credentials", message, fields={"code": message})


def pending_expired_error() -> Unauthorized:
    return Unauthorized(
        "login_expired", N_("Your sign-in took too long or had too many wrong codes. Please sign in again.")
    )


# --- who must have one, and where they may go meanwhile -------------------------------------


def open_while_enrolling(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def enrolment_url(path: str, query: str = "") -> str:
    """The enrolment page, coming back to ``path`` afterwards."""
    target = path + (f"?{query}" if query else "")
    return ENROL_PATH if target == "/" else f"{ENROL_PATH}?{urlencode({'next': target})}"


async def has_two_factor(user_id: int) -> bool:
    return await TwoFactor.filter(user_id=user_id, confirmed_at__isnull=False).exists()


async def needs_two_factor(user: User) -> bool:
    """Staff (roles loaded on ``user``) without a confirmed second factor."""
    return permissions.is_staff(user) and not await has_two_factor(user.id)


async def confirmed_factor(user: User) -> TwoFactor | None:
    return await TwoFactor.get_or_none(user_id=user.id, confirmed_at__isnull=False)


async def recovery_codes_left(user: User) -> int:
    return await RecoveryCode.filter(user_id=user.id, used_at=None).count()


# --- secrets -------------------------------------------------------------------------------


@cache
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tierslieu two-factor secret").derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret_key: str, secret: str) -> str:
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def decrypt_secret(secret_key: str, stored: str) -> str:
    try:
        return _fernet(secret_key).decrypt(stored.encode()).decode()
    except InvalidToken:
        # the secret key changed since enrolment: no code can match any more
        return ""


def normalise_secret(raw: str) -> str:
    """A base32 secret without spaces or padding, upper case; ValueError when it is not
    base32 or shorter than 128 bits."""
    secret = "".join(raw.split()).upper().rstrip("=")
    try:
        decoded = base64.b32decode(secret + "=" * (-len(secret) % 8))
    except ValueError:
        raise ValueError("the secret is not valid base32 (letters A-Z and digits 2-7)") from None
    if len(decoded) < MIN_SECRET_BYTES:
        raise ValueError(f"the secret is too short: at least {MIN_SECRET_BYTES * 8} bits (26 base32 characters)")
    return secret


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code, an SVG drawn here (no outside service), as a data URI."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def grouped(secret: str) -> str:
    """``ABCD EFGH …``: easier to type into an app by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


# --- enrolment ---------------------------------------------------------------------------


async def start_enrolment(user: User, secret_key: str) -> str:
    """The secret to show while enrolling: the same one until confirmed, so that
    reloading the page does not undo a scan."""
    factor = await TwoFactor.get_or_none(user_id=user.id)
    if factor is not None and factor.confirmed_at is None:
        secret = decrypt_secret(secret_key, factor.secret)
        if secret:
            return secret
    if factor is not None and factor.confirmed_at is not None:
        raise Invalid("two_factor_enabled", N_("Two-step sign-in is already on."))
    secret = pyotp.random_base32()
    if factor is None:
        await TwoFactor.create(user_id=user.id, secret=encrypt_secret(secret_key, secret))
    else:
        await TwoFactor.filter(id=factor.id, confirmed_at=None).update(secret=encrypt_secret(secret_key, secret))
    return secret


async def confirm_enrolment(user: User, code: str, *, secret_key: str, now: datetime | None = None) -> list[str]:
    """Turn two-step sign-in on with a first valid code; returns the recovery codes."""
    moment = now or clock.now()
    factor = await TwoFactor.get_or_none(user_id=user.id, confirmed_at=None)
    if factor is None or not await _accept_totp(factor, code, secret_key, moment):
        raise _wrong_code(signed_in=True)
    async with in_transaction():
        confirmed = await TwoFactor.filter(id=factor.id, confirmed_at=None).update(confirmed_at=moment)
        if not confirmed:
            raise _wrong_code(signed_in=True)
        codes = await _replace_recovery_codes(user)
        await mail.send(user, "accounts/two_factor_enabled", {"when": moment})
    return codes


async def enrol(user: User, secret: str, secret_key: str) -> None:
    """Enrol ``secret`` (normalised) at once, replacing any earlier factor: for operators
    (``createadmin --totp-secret``) and fixtures. No recovery codes: the operator holds
    the secret; the person can create codes on the profile page."""
    async with in_transaction():
        await TwoFactor.filter(user_id=user.id).delete()
        await RecoveryCode.filter(user_id=user.id).delete()
        await TwoFactor.create(user_id=user.id, secret=encrypt_secret(secret_key, secret), confirmed_at=clock.now())


# --- checking codes ----------------------------------------------------------------------


def _matching_step(secret: str, code: str, moment: datetime) -> int | None:
    code = "".join(code.split())
    # isascii(): "²²²²²²" passes isdigit(), and compare_digest() refuses non-ASCII text (a 500)
    if not secret or len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(moment)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def _accept_totp(factor: TwoFactor, code: str, secret_key: str, moment: datetime) -> bool:
    step = _matching_step(decrypt_secret(secret_key, factor.secret), code, moment)
    if step is None:
        return False
    # the single-use guard: only one request can move last_used_step past this step
    return bool(await TwoFactor.filter(id=factor.id, last_used_step__lt=step).update(last_used_step=step))


async def verify_code(user: User, code: str, *, secret_key: str, now: datetime | None = None) -> bool:
    """Whether ``code`` is a valid authenticator code of ``user`` at ``now``, and was never
    used (nor a later one). Accepting it uses it up."""
    factor = await confirmed_factor(user)
    return factor is not None and await _accept_totp(factor, code, secret_key, now or clock.now())


def _normal_recovery_code(code: str) -> str | None:
    normal = "".join(code.split()).replace("-", "").lower()
    if len(normal) != RECOVERY_LENGTH or any(char not in RECOVERY_ALPHABET for char in normal):
        return None
    return normal


async def use_recovery_code(user: User, code: str, *, now: datetime | None = None) -> bool:
    """Use one recovery code (once); the person is told by mail."""
    normal = _normal_recovery_code(code)
    if normal is None:
        return False
    moment = now or clock.now()
    async with in_transaction():
        used = await RecoveryCode.filter(user_id=user.id, code_hash=_sha256(normal), used_at=None).update(
            used_at=moment
        )
        if not used:
            return False
        left = await RecoveryCode.filter(user_id=user.id, used_at=None).count()
        await mail.send(user, "accounts/recovery_code_used", {"when": moment, "left": left})
    return True


async def verify_second_step(user: User, code: str, *, secret_key: str, now: datetime | None = None) -> bool:
    """An authenticator code or a recovery code, each accepted once."""
    if await confirmed_factor(user) is None:
        return False
    if _normal_recovery_code(code) is not None:
        return await use_recovery_code(user, code, now=now)
    return await verify_code(user, code, secret_key=secret_key, now=now)


async def check_second_step(
    user: User,
    code: str,
    *,
    secret_key: str,
    client_address: str,
    limiter: RateLimiter,
    signed_in: bool = False,
    now: datetime | None = None,
) -> None:
    """Accept a code or raise; wrong codes count as failed logins (429 past the limits)."""
    await limiter.check(LOGIN_PER_ADDRESS, client_address)
    await limiter.check(LOGIN_PER_ACCOUNT, user.email)
    if await verify_second_step(user, code[:64], secret_key=secret_key, now=now):
        return
    await limiter.hit(LOGIN_PER_ADDRESS, client_address)
    await limiter.hit(LOGIN_PER_ACCOUNT, user.email)
    raise _wrong_code(signed_in)


# --- recovery codes, turning off -----------------------------------------------------------


async def _replace_recovery_codes(user: User) -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    await RecoveryCode.filter(user_id=user.id).delete()
    await RecoveryCode.bulk_create(
        [RecoveryCode(user_id=user.id, code_hash=_sha256(code.replace("-", ""))) for code in codes]
    )
    return codes


async def _reconfirm(
    user: User, password: str, code: str, *, secret_key: str, client_address: str, limiter: RateLimiter
) -> None:
    """Changes to an enrolled second factor ask for the password and a code again."""
    if await confirmed_factor(user) is None:
        raise Invalid("two_factor_disabled", N_("Two-step sign-in is off."))
    await passwords.require_password(user.password_hash, password, account=user.email, limiter=limiter)
    await check_second_step(
        user, code, secret_key=secret_key, client_address=client_address, limiter=limiter, signed_in=True
    )


async def regenerate_recovery_codes(
    user: User, password: str, code: str, *, secret_key: str, client_address: str, limiter: RateLimiter
) -> list[str]:
    """New recovery codes (the old ones stop working), after the password and a code."""
    await _reconfirm(user, password, code, secret_key=secret_key, client_address=client_address, limiter=limiter)
    async with in_transaction():
        return await _replace_recovery_codes(user)


async def disable(
    user: User, password: str, code: str, *, secret_key: str, client_address: str, limiter: RateLimiter
) -> None:
    """Turn two-step sign-in off (members only: staff roles require it)."""
    if not permissions.can_disable_two_factor(user):
        raise Forbidden(
            "two_factor_required",
            N_("Your role requires two-step sign-in: it cannot be turned off. Ask an admin if you lost your device."),
        )
    await _reconfirm(user, password, code, secret_key=secret_key, client_address=client_address, limiter=limiter)
    async with in_transaction():
        await remove(user)
        await mail.send(user, "accounts/two_factor_disabled", {"when": clock.now()})


async def remove(user: User) -> bool:
    """Delete the factor, its recovery codes and pending sign-ins; whether one was on."""
    had = await has_two_factor(user.id)
    await TwoFactor.filter(user_id=user.id).delete()
    await RecoveryCode.filter(user_id=user.id).delete()
    await PendingLogin.filter(user_id=user.id).delete()
    return had


# --- between the password and the code -------------------------------------------------------


async def begin_pending_login(user: User, next_url: str) -> str:
    """A pending sign-in after a right password; returns the cookie value."""
    token = secrets.token_urlsafe(32)
    moment = clock.now()
    await PendingLogin.filter(expires_at__lte=moment).delete()  # housekeeping
    await PendingLogin.create(
        id=_sha256(token), user_id=user.id, created_at=moment, expires_at=moment + PENDING_TTL, next_url=next_url[:500]
    )
    return token


async def pending_login(token: str | None) -> PendingLogin | None:
    if not token or len(token) > 100:
        return None
    pending = await PendingLogin.get_or_none(id=_sha256(token)).select_related("user")
    if pending is None:
        return None
    user = pending.user
    if pending.expires_at <= clock.now() or user.suspended_at is not None or user.deleted_at is not None:
        await PendingLogin.filter(id=pending.id).delete()
        return None
    return pending


async def complete_pending_login(
    token: str | None,
    code: str,
    *,
    secret_key: str,
    client_address: str,
    limiter: RateLimiter,
    now: datetime | None = None,
) -> PendingLogin:
    """Check the second step of a pending sign-in. On success the pending record is gone
    and the caller starts the session; after too many wrong codes it is gone too."""
    pending = await pending_login(token)
    if pending is None:
        raise pending_expired_error()
    try:
        await check_second_step(
            pending.user, code, secret_key=secret_key, client_address=client_address, limiter=limiter, now=now
        )
    except Unauthorized:
        await PendingLogin.filter(id=pending.id).update(attempts=F("attempts") + 1)
        if await PendingLogin.filter(id=pending.id, attempts__gte=PENDING_MAX_ATTEMPTS).delete():
            raise pending_expired_error() from None
        raise
    if not await PendingLogin.filter(id=pending.id).delete():
        raise pending_expired_error()  # used by a concurrent request
    return pending
