"""Accounts: sign-up, sign-in, sessions, tokens, profile, personal data.

This module is the accounts part's public surface: other parts import only it (the person
and role types, the role predicates, and the use-cases below), never its models,
permissions or pages.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from accounts import queries, two_factor
from accounts.forms import Profile, SignUp
from accounts.models import ApiToken, AuditEntry, OneTimeToken, Session, TokenPurpose, UserRole
from accounts.models import Role as Role  # re-exported: the other parts' view of people and roles
from accounts.models import User as User
from accounts.permissions import has_role as has_role
from accounts.permissions import roles_of as roles_of
from tierslieu import clock, mail, pagecache, parts, passwords, realtime
from tierslieu.errors import N_, Conflict, Invalid, NotFound, Unauthorized
from tierslieu.ratelimit import (
    LOGIN_PER_ACCOUNT,
    LOGIN_PER_ADDRESS,
    RESET_PER_ACCOUNT,
    RESET_PER_ADDRESS,
    SIGNUP_PER_ADDRESS,
    RateLimiter,
)
from tierslieu.settings import Settings
from tierslieu.validation import parse_id

SESSION_TOUCH_INTERVAL = timedelta(minutes=5)
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)
VERIFY_EMAIL_TTL = timedelta(days=3)
RESET_PASSWORD_TTL = timedelta(hours=1)
CHANGE_EMAIL_TTL = timedelta(days=1)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def bad_credentials() -> Unauthorized:
    return Unauthorized("bad_credentials", N_("Wrong email or password."))


async def load_roles(user: User) -> User:
    """Attach the set of roles (``member`` included) as ``user.role_names``."""
    return _with_roles(user, await UserRole.filter(user_id=user.id).values_list("role", flat=True))


def _with_roles(user: User, stored: Iterable[str]) -> User:
    user.role_names = frozenset({Role.MEMBER, *(Role(role) for role in stored)})  # type: ignore[attr-defined]
    return user


# --- sign-up and sign-in -------------------------------------------------------------


async def create_user(
    email: str,
    password: str,
    display_name: str,
    *,
    locale: str = "fr",
    timezone: str = "Europe/Paris",
    roles: tuple[Role, ...] = (),
    verified: bool = False,
) -> User:
    """Create an account (inputs already validated). An address in use is a 409."""
    email = email.strip().lower()
    password_hash = await passwords.hash_password(password)
    if await User.filter(email=email).exists():
        raise Conflict(
            "email_taken",
            N_("An account already uses this email address."),
            fields={"email": N_("An account already uses this email address.")},
        )
    try:
        async with in_transaction():
            user = await User.create(
                email=email,
                display_name=display_name,
                password_hash=password_hash,
                locale=locale,
                timezone=timezone,
                email_verified_at=clock.now() if verified else None,
            )
            for role in roles:
                if role != Role.MEMBER:
                    await UserRole.create(user=user, role=role)
    except IntegrityError:
        raise Conflict(
            "email_taken",
            N_("An account already uses this email address."),
            fields={"email": N_("An account already uses this email address.")},
        ) from None
    return await load_roles(user)


async def sign_up(data: SignUp, *, locale: str, client_address: str, limiter: RateLimiter) -> User:
    await limiter.check(SIGNUP_PER_ADDRESS, client_address)
    await limiter.hit(SIGNUP_PER_ADDRESS, client_address)
    user = await create_user(data.email, data.password, data.display_name, locale=locale)
    await send_verification(user)
    return user


async def authenticate(email: str, password: str, *, client_address: str, limiter: RateLimiter) -> User:
    """The person behind these credentials, or 401 ``bad_credentials``.

    Unknown addresses, wrong passwords and suspended accounts answer the same, after the
    same work (one argon2 verification either way), and count against the same limits:
    a suspended account never tells whether a password is right (the person learns of
    the suspension by mail).
    """
    account_key = email.strip().lower()
    await limiter.check(LOGIN_PER_ADDRESS, client_address)
    await limiter.check(LOGIN_PER_ACCOUNT, account_key)
    user = await User.get_or_none(email=account_key, deleted_at=None)
    matches, needs_rehash = await passwords.verify_password(user.password_hash if user else None, password)
    if user is None or not matches or user.suspended_at is not None:
        await limiter.hit(LOGIN_PER_ADDRESS, client_address)
        await limiter.hit(LOGIN_PER_ACCOUNT, account_key)
        raise bad_credentials()
    if needs_rehash:
        user.password_hash = await passwords.hash_password(password)
        await user.save(update_fields=["password_hash"])
    return await load_roles(user)


# --- sessions ------------------------------------------------------------------------


async def start_session(user: User, ip: str, user_agent: str, settings: Settings) -> str:
    """A new session (always a new id: signing in never reuses one). Returns the
    cookie value; the table keeps only its hash."""
    token = secrets.token_urlsafe(32)
    moment = clock.now()
    await Session.create(
        id=sha256(token),
        user=user,
        created_at=moment,
        last_seen_at=moment,
        expires_at=moment + timedelta(seconds=settings.session_absolute_seconds),
        ip=ip[:45],
        user_agent=user_agent[:255],
    )
    return token


async def resolve_session(token: str, settings: Settings) -> tuple[Session, User, frozenset[str]] | None:
    found = await queries.session_with_user(sha256(token))  # with the person and their roles: one query
    if found is None:
        return None
    session, user, roles = found
    moment = clock.now()
    idle_limit = session.last_seen_at + timedelta(seconds=settings.session_idle_seconds)
    if moment >= session.expires_at or moment >= idle_limit or user.suspended_at or user.deleted_at:
        await session.delete()
        return None
    if moment - session.last_seen_at > SESSION_TOUCH_INTERVAL:
        # throttled, so that reading pages does not write on every request
        await Session.filter(id=session.id).update(last_seen_at=moment)
    _with_roles(user, roles)
    # staff without a second factor: the shell lets this session reach enrolment only
    user.needs_two_factor = await two_factor.needs_two_factor(user)  # type: ignore[attr-defined]
    return session, user, user.role_names  # type: ignore[attr-defined]


async def end_session(session_id: str, user_id: int | None = None) -> None:
    """End one session (signing out); that person's live sockets on it are closed."""
    await Session.filter(id=session_id).delete()
    if user_id is not None:
        await announce_revocation(user_id)


async def announce_revocation(user_id: int) -> None:
    """Tell every process that some of this person's sessions ended: their live sockets
    check their session again and close when it is gone (see ``tierslieu.realtime``)."""
    await realtime.publish(f"user:{user_id}", realtime.SESSION_REVOKED)


async def revoke_access(user: User, *, keep_session: str | None = None, rotate_calendar: bool) -> list[str]:
    """Take back everything a person (or someone who took over their account) holds.

    The one function behind a password change or reset, "sign out everywhere", a
    suspension and an admin's two-step reset: every session ends but ``keep_session``,
    every API token is revoked, and with ``rotate_calendar`` the personal calendar link
    changes. The person is told by mail which tokens were revoked (they can create new
    ones) and given the new calendar link; their live sockets close in every process.
    Called after the change that motivates it is committed. Returns the revoked tokens'
    names."""
    moment = clock.now()
    async with in_transaction():
        tokens = await ApiToken.filter(user_id=user.id, revoked_at=None).order_by("created_at", "id")
        if tokens:
            await ApiToken.filter(id__in=[t.id for t in tokens]).update(revoked_at=moment)
        await end_all_sessions(user, keep=keep_session)
        if rotate_calendar:
            await User.filter(id=user.id).update(calendar_token_version=user.calendar_token_version + 1)
            user.calendar_token_version += 1
        names = [t.name for t in tokens]
        if names or rotate_calendar:
            settings = mail.configured_settings()
            new_link = calendar_url(user, settings) if rotate_calendar else None
            await mail.send(
                user,
                "accounts/access_revoked",
                {"tokens": names, "calendar_url": new_link},
                secrets=[new_link] if new_link else [],
            )
    await announce_revocation(user.id)
    return names


async def end_all_sessions(user: User, *, keep: str | None = None) -> int:
    query = Session.filter(user_id=user.id)
    if keep is not None:
        query = query.exclude(id=keep)
    return await query.delete()


async def list_sessions(user: User) -> list[Session]:
    return await Session.filter(user_id=user.id).order_by("-last_seen_at")


# --- API tokens ----------------------------------------------------------------------


async def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A random 256-bit token, shown once; the table keeps its SHA-256. Staff need a
    second factor first (``user`` with its roles loaded)."""
    if await two_factor.needs_two_factor(user):
        raise two_factor.required_error()
    plain = secrets.token_urlsafe(32)
    token = await ApiToken.create(user=user, name=name.strip() or "API", token_hash=sha256(plain))
    return token, plain


async def issue_api_token(
    email: str,
    password: str,
    name: str,
    *,
    otp: str | None = None,
    secret_key: str,
    client_address: str,
    limiter: RateLimiter,
) -> str:
    """A token for these credentials; with a second factor, ``otp`` is a code from the
    authenticator (or a recovery code), else 401 ``otp_required``."""
    user = await authenticate(email, password, client_address=client_address, limiter=limiter)
    if await two_factor.has_two_factor(user.id):
        if not otp:
            raise two_factor.otp_required_error()
        await two_factor.check_second_step(
            user, otp, secret_key=secret_key, client_address=client_address, limiter=limiter
        )
    _, plain = await create_api_token(user, name)
    return plain


# One query per API request: the token, its person and their roles (comma-separated).
_BEARER_SQL = (
    "SELECT t.id AS token__id, t.name AS token__name, t.created_at AS token__created_at, "
    "t.last_used_at AS token__last_used_at, u.*, "
    "(SELECT {roles} FROM accounts_user_role AS r WHERE r.user_id = u.id) AS token__roles "
    "FROM accounts_api_token AS t JOIN accounts_user AS u ON u.id = t.user_id "
    "WHERE t.token_hash = {param} AND t.revoked_at IS NULL"
)
_BEARER_QUERIES = {
    "sqlite": _BEARER_SQL.format(roles="group_concat(r.role, ',')", param="?"),
    "postgres": _BEARER_SQL.format(roles="string_agg(r.role, ',')", param="$1"),
}


async def resolve_api_token(plain: str) -> tuple[User, frozenset[str], ApiToken] | None:
    if not plain:
        return None
    connection = connections.get("default")
    token_hash = sha256(plain)
    rows = await connection.execute_query_dict(_BEARER_QUERIES[connection.capabilities.dialect], [token_hash])
    if not rows:
        return None
    row = rows[0]
    user = User._init_from_db(**row)
    if user.suspended_at or user.deleted_at:
        return None
    token = ApiToken._init_from_db(
        id=row["token__id"],
        user_id=user.id,
        name=row["token__name"],
        token_hash=token_hash,
        created_at=row["token__created_at"],
        last_used_at=row["token__last_used_at"],
        revoked_at=None,
    )
    token.user = user
    moment = clock.now()
    if token.last_used_at is None or moment - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        await ApiToken.filter(id=token.id).update(last_used_at=moment)
    stored = row["token__roles"]
    user.role_names = frozenset(  # type: ignore[attr-defined]
        {Role.MEMBER, *(Role(role) for role in stored.split(","))} if stored else {Role.MEMBER}
    )
    return user, user.role_names, token  # type: ignore[attr-defined]


async def list_api_tokens(user: User) -> list[ApiToken]:
    return await ApiToken.filter(user_id=user.id, revoked_at=None).order_by("-created_at")


async def revoke_api_token(user: User, token_id: int) -> None:
    updated = await ApiToken.filter(id=token_id, user_id=user.id, revoked_at=None).update(revoked_at=clock.now())
    if not updated:
        raise NotFound()


# --- personal calendar token -----------------------------------------------------------
# The token is derived (HMAC of the user id and a version), so it needs no storage and
# is revoked by bumping the version: the old URL then resolves to nobody.


def calendar_token(user: User, secret_key: str) -> str:
    mac = hmac.new(secret_key.encode(), f"calendar:{user.id}:{user.calendar_token_version}".encode(), hashlib.sha256)
    return f"{user.id}-{mac.hexdigest()[:40]}"


def calendar_url(user: User, settings: Settings) -> str:
    return f"{settings.base_url}/calendar/{calendar_token(user, settings.secret_key)}.ics"


async def user_for_calendar_token(token: str, secret_key: str) -> User | None:
    user_id = parse_id(token.partition("-")[0])
    if user_id is None:
        return None
    user = await User.get_or_none(id=user_id, suspended_at=None, deleted_at=None)
    if user is None or not hmac.compare_digest(calendar_token(user, secret_key), token):
        return None
    return user


async def revoke_calendar_token(user: User) -> None:
    user.calendar_token_version += 1
    await user.save(update_fields=["calendar_token_version"])


# --- single-use links: verification, reset, new address --------------------------------


async def issue_one_time_token(user: User, purpose: TokenPurpose, ttl: timedelta, new_email: str | None = None) -> str:
    plain = secrets.token_urlsafe(32)
    await OneTimeToken.create(
        user=user, purpose=purpose, token_hash=sha256(plain), new_email=new_email, expires_at=clock.now() + ttl
    )
    return plain


async def consume_one_time_token(plain: str, purpose: TokenPurpose) -> OneTimeToken:
    """Use a link once: a second use, an expired link or a wrong one are all 404-like."""
    moment = clock.now()
    async with in_transaction():
        token = await OneTimeToken.get_or_none(token_hash=sha256(plain), purpose=purpose).select_related("user")
        if token is None or token.used_at is not None or token.expires_at <= moment or token.user.deleted_at:
            raise Invalid(
                "token_invalid", N_("This link is invalid, has already been used or has expired. Ask for a new one.")
            )
        claimed = await OneTimeToken.filter(id=token.id, used_at=None).update(used_at=moment)
        if not claimed:
            raise Invalid(
                "token_invalid", N_("This link is invalid, has already been used or has expired. Ask for a new one.")
            )
    return token


async def send_verification(user: User) -> None:
    token = await issue_one_time_token(user, TokenPurpose.VERIFY_EMAIL, VERIFY_EMAIL_TTL)
    await mail.send(user, "accounts/verify_email", {"token": token}, secrets=[token])


async def verify_email(plain: str) -> User:
    token = await consume_one_time_token(plain, TokenPurpose.VERIFY_EMAIL)
    user = token.user
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
        await user.save(update_fields=["email_verified_at"])
    return user


async def request_password_reset(email: str, *, client_address: str, limiter: RateLimiter) -> None:
    """Mail a reset link if the account exists. The answer is the same either way."""
    account_key = email.strip().lower()
    await limiter.check(RESET_PER_ADDRESS, client_address)
    await limiter.check(RESET_PER_ACCOUNT, account_key)
    await limiter.hit(RESET_PER_ADDRESS, client_address)
    await limiter.hit(RESET_PER_ACCOUNT, account_key)
    user = await User.get_or_none(email=account_key, deleted_at=None, suspended_at=None)
    if user is None:
        return
    async with in_transaction():
        token = await issue_one_time_token(user, TokenPurpose.RESET_PASSWORD, RESET_PASSWORD_TTL)
        await mail.send(user, "accounts/reset_password", {"token": token}, secrets=[token])


async def reset_password(plain: str, new_password: str) -> User:
    password_hash = await passwords.hash_password(new_password)
    async with in_transaction():
        token = await consume_one_time_token(plain, TokenPurpose.RESET_PASSWORD)
        user = token.user
        user.password_hash = password_hash
        await user.save(update_fields=["password_hash"])
        # other pending reset links die with this one; so do all sessions
        await OneTimeToken.filter(user_id=user.id, purpose=TokenPurpose.RESET_PASSWORD, used_at=None).update(
            used_at=clock.now()
        )
        await end_all_sessions(user)
        await mail.send(user, "accounts/password_changed", {})
    await revoke_access(user, rotate_calendar=True)
    return user


async def change_password(
    user: User, current: str, new: str, *, session: Session | None, settings: Settings, limiter: RateLimiter
) -> str | None:
    """Change the password from a signed-in ``session``: it goes on under a new id (the
    new cookie value is returned), every other session ends and every API token is
    revoked. The calendar link stays, so subscriptions do not break silently."""
    await passwords.require_password(
        user.password_hash, current, account=user.email, limiter=limiter, field="current_password"
    )
    user.password_hash = await passwords.hash_password(new)
    async with in_transaction():
        await user.save(update_fields=["password_hash"])
        await end_all_sessions(user)
        token = await start_session(user, session.ip, session.user_agent, settings) if session else None
        await mail.send(user, "accounts/password_changed", {})
    await revoke_access(user, keep_session=sha256(token) if token else None, rotate_calendar=False)
    return token


async def request_email_change(user: User, password: str, new_email: str, *, limiter: RateLimiter) -> None:
    await passwords.require_password(user.password_hash, password, account=user.email, limiter=limiter)
    if new_email == user.email:
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={"new_email": N_("This is already your address.")},
        )
    if await User.filter(email=new_email).exists():
        raise Conflict(
            "email_taken",
            N_("An account already uses this email address."),
            fields={"new_email": N_("An account already uses this email address.")},
        )
    async with in_transaction():
        token = await issue_one_time_token(user, TokenPurpose.CHANGE_EMAIL, CHANGE_EMAIL_TTL, new_email=new_email)
        await mail.send(
            new_email,
            "accounts/confirm_new_email",
            {"token": token, "user": user, "new_email": new_email},
            locale=user.locale,
            secrets=[token],
        )
        await mail.send(user, "accounts/email_change_requested", {"new_email": new_email})


async def confirm_email_change(plain: str) -> User:
    try:
        async with in_transaction():
            token = await consume_one_time_token(plain, TokenPurpose.CHANGE_EMAIL)
            user = token.user
            if await User.filter(email=token.new_email).exclude(id=user.id).exists():
                raise Conflict("email_taken", N_("An account already uses this email address."))
            user.email = token.new_email or user.email
            user.email_verified_at = clock.now()
            await user.save(update_fields=["email", "email_verified_at"])
    except IntegrityError:
        raise Conflict("email_taken", N_("An account already uses this email address.")) from None
    return user


# --- profile and personal data -----------------------------------------------------------


async def update_profile(user: User, data: Profile) -> User:
    renamed = data.display_name != user.display_name
    for name, value in data.model_dump().items():
        setattr(user, name, value)
    await user.save(update_fields=[*Profile.model_fields])
    if renamed:  # the name shows on pages kept for anonymous readers
        await pagecache.bump(pagecache.PEOPLE)
    return user


async def set_mail_preference(user: User, kind: str, mode: str) -> None:
    optional = {item.name: item for item in mail.kinds()}
    if kind not in optional or mode not in optional[kind].modes:
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={kind: N_("Choose one of the proposed values.")},
        )
    await mail.set_preference(user, kind, mode)


def chosen_mail_mode(user: User, kind: str) -> str | None:
    """The mode the person chose for an optional kind of mail, None when they never chose."""
    return (user.mail_preferences or {}).get(kind)


async def store_mail_mode(user: User, kind: str, mode: str) -> None:
    """Keep a mode for a kind, without losing a concurrent change to another kind."""
    async with in_transaction():
        fresh = await User.select_for_update().get(id=user.id)
        fresh.mail_preferences = {**(fresh.mail_preferences or {}), kind: mode}
        await fresh.save(update_fields=["mail_preferences"])
    user.mail_preferences = fresh.mail_preferences


async def find_active(user_id: int) -> User | None:
    return await User.get_or_none(id=user_id, deleted_at=None)


async def active_users(user_ids: list[int]) -> list[User]:
    """The people among ``user_ids`` whose account is not deleted, in id order."""
    return await User.filter(id__in=user_ids, deleted_at=None).order_by("id") if user_ids else []


async def export_personal_data(user: User) -> dict:
    data: dict = {"exported_at": clock.now().isoformat()}
    for contributor in parts.installed().personal_data():
        data[contributor.section] = await contributor.export(user)
    return data


def deletion_answers(values: Mapping[str, Any]) -> dict[str, str]:
    """The answers to the installed parts' deletion questions found in ``values`` (a form),
    each checked against its options; a missing one takes the first option, a foreign one is
    an invalid field."""
    answers = {}
    for contributor in parts.installed().personal_data():
        if (choice := contributor.choice) is None:
            continue
        answer = values.get(choice.name) or choice.options[0][0]
        if answer not in {value for value, _ in choice.options}:
            raise Invalid(
                "invalid",
                N_("Some fields are missing or invalid."),
                fields={choice.name: N_("Pick one of the choices.")},
            )
        answers[choice.name] = answer
    return answers


async def delete_account(
    user: User, password: str, *, limiter: RateLimiter, answers: Mapping[str, str] | None = None
) -> None:
    """Private data goes; public contributions stay under an anonymous name. ``answers``
    holds the person's answers to the parts' deletion questions (:func:`deletion_answers`);
    a question left unanswered takes its first option."""
    await passwords.require_password(user.password_hash, password, account=user.email, limiter=limiter)
    if Role.ADMIN in user.role_names and await UserRole.filter(role=Role.ADMIN).exclude(user_id=user.id).count() == 0:  # type: ignore[attr-defined]
        raise Conflict("last_admin", N_("You are the last admin: give the admin role to someone else first."))
    async with in_transaction():
        for contributor in parts.installed().personal_data():
            if contributor.choice is None:
                await contributor.erase(user)
            else:
                await contributor.erase(
                    user, (answers or {}).get(contributor.choice.name, contributor.choice.options[0][0])
                )
    await pagecache.bump(pagecache.PEOPLE)  # the contributions now show an anonymous name


async def export_account(user: User) -> dict:
    await load_roles(user)
    return {
        "id": user.id,
        "email": user.email,
        "email_verified_at": user.email_verified_at,
        "display_name": user.display_name,
        "bio": user.bio,
        "locale": user.locale,
        "timezone": user.timezone,
        "motivation": user.motivation,
        "mail_preferences": user.mail_preferences,
        "roles": sorted(user.role_names),  # type: ignore[attr-defined]
        "created_at": user.created_at,
        "sessions": [
            {"created_at": s.created_at, "last_seen_at": s.last_seen_at, "ip": s.ip, "user_agent": s.user_agent}
            for s in await list_sessions(user)
        ],
        "api_tokens": [
            {"name": t.name, "created_at": t.created_at, "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}
            for t in await ApiToken.filter(user_id=user.id)
        ],
        "two_factor": {
            "enabled_at": factor.confirmed_at if (factor := await two_factor.confirmed_factor(user)) else None,
            "recovery_codes_left": await two_factor.recovery_codes_left(user),
        },
        "audit_entries_about_me": [
            {"action": e.action, "reason": e.reason, "created_at": e.created_at}
            for e in await AuditEntry.filter(target_id=user.id)
        ],
    }


async def erase_account(user: User) -> None:
    await Session.filter(user_id=user.id).delete()
    await ApiToken.filter(user_id=user.id).delete()
    await OneTimeToken.filter(user_id=user.id).delete()
    await UserRole.filter(user_id=user.id).delete()
    await two_factor.remove(user)
    moment = clock.now()
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@deleted.invalid"
    user.display_name = f"Anonyme {secrets.token_hex(3)}"
    user.password_hash = "!"  # noqa: S105 - not a hash: matches no password
    user.bio = ""
    user.motivation = None
    user.mail_preferences = {}
    user.email_verified_at = None
    user.calendar_token_version += 1
    user.deleted_at = moment
    await user.save()
