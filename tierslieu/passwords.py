"""Password hashing with argon2id, off the event loop.

argon2 is CPU-bound on purpose: hashing in the event loop would stall every other
request, so it runs in the thread pool, and a semaphore keeps a burst of logins from
taking every core.
"""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tierslieu.errors import N_, Invalid
from tierslieu.ratelimit import LOGIN_PER_ACCOUNT, RateLimiter

# OWASP's password storage cheat sheet, first argon2id option: m=19 MiB, t=2, p=1.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)

_semaphore: asyncio.Semaphore | None = None


def configure(concurrency: int) -> None:
    global _semaphore
    _semaphore = asyncio.Semaphore(concurrency)


def _limit() -> asyncio.Semaphore:
    global _semaphore
    if _semaphore is None:
        _semaphore = asyncio.Semaphore(2)
    return _semaphore


async def hash_password(password: str) -> str:
    async with _limit():
        return await asyncio.to_thread(HASHER.hash, password)


def _verify(stored_hash: str, password: str) -> tuple[bool, bool]:
    try:
        HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, False
    return True, HASHER.check_needs_rehash(stored_hash)


async def verify_password(stored_hash: str | None, password: str) -> tuple[bool, bool]:
    """(matches, needs_rehash). With no stored hash (unknown account) a dummy hash is
    verified all the same, so both cases cost one argon2 verification."""
    async with _limit():
        if stored_hash is None:
            await asyncio.to_thread(_verify, dummy_hash(), password)
            return False, False
        return await asyncio.to_thread(_verify, stored_hash, password)


async def require_password(
    stored_hash: str, password: str, *, account: str, limiter: RateLimiter, field: str = "password"
) -> None:
    """422 on ``field`` unless ``password`` matches: the one place for changes that ask for
    the current password again (password, address, second factor, deletion).

    Wrong tries count toward the sign-in limit of ``account`` (the address it signs in
    with), so a stolen session cannot guess the password here faster than at the sign-in
    page: past the limit the answer is a 429, right password or not."""
    account = account.strip().lower()
    await limiter.check(LOGIN_PER_ACCOUNT, account)
    matches, _ = await verify_password(stored_hash, password)
    if not matches:
        await limiter.hit(LOGIN_PER_ACCOUNT, account)
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={field: N_("This is not your current password.")},
        )


@cache
def dummy_hash() -> str:
    return HASHER.hash("not a password: used to spend the same time on unknown accounts")
