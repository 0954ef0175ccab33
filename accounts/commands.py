"""The accounts part's commands: ``tierslieu createadmin``."""

from __future__ import annotations

import argparse
import getpass
import sys

from pydantic import ValidationError

from accounts import services, two_factor
from accounts.forms import SignUp
from accounts.models import Role, User, UserRole
from tierslieu.settings import Settings


def createadmin_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument(
        "--totp-secret",
        metavar="BASE32",
        help="enrol this authenticator secret (RFC 6238, at least 128 bits) as the admin's second factor",
    )


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Password (again): ")
    if first != second:
        raise SystemExit("The two passwords differ.")
    return first


async def createadmin(args: argparse.Namespace, settings: Settings) -> str:
    """Create an admin, or give the admin role to an existing account."""
    secret = None
    if args.totp_secret is not None:
        try:
            secret = two_factor.normalise_secret(args.totp_secret)
        except ValueError as exc:
            raise SystemExit(f"--totp-secret: {exc}") from None
    enrolled = " Two-step sign-in enrolled with the given secret." if secret else ""
    user = await User.get_or_none(email=args.email.strip().lower())
    if user is not None:
        await UserRole.get_or_create(user=user, role=Role.ADMIN)
        if secret:
            await two_factor.enrol(user, secret, settings.secret_key)
        return f"{user.email} is now an admin (password unchanged).{enrolled}"
    password = _read_password()
    try:
        data = SignUp(email=args.email, password=password, display_name=args.name)
    except ValidationError as exc:
        raise SystemExit("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
    user = await services.create_user(data.email, data.password, data.display_name, roles=(Role.ADMIN,), verified=True)
    if secret:
        await two_factor.enrol(user, secret, settings.secret_key)
    return f"Created admin {user.email}.{enrolled}"
