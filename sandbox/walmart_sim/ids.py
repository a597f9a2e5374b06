"""Identifiers in Walmart's shapes, drawn from one seeded generator so runs repeat exactly.

Shapes (walmart-api.md): purchase and customer order ids are 13 digits (§6.2), return order
ids 18 digits (§7), WPIDs 12 upper-case alphanumerics (§3.3), feed ids 32 hex digits, ``@``
and a 7-character suffix (§3.1), event ids UUID-shaped (§9.3), tokens JWE-looking (§2).
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid

_ALNUM = string.ascii_uppercase + string.digits
_B64 = string.ascii_letters + string.digits


class IdFactory:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._counter = 0

    def digits(self, n: int) -> str:
        first = str(self.rng.randint(1, 9))
        return first + "".join(str(self.rng.randint(0, 9)) for _ in range(n - 1))

    def purchase_order_id(self) -> str:
        return self.digits(13)

    def customer_order_id(self) -> str:
        return self.digits(13)

    def return_order_id(self) -> str:
        return self.digits(18)

    def item_id(self) -> str:
        return self.digits(9)

    def wpid(self) -> str:
        return "".join(self.rng.choice(_ALNUM) for _ in range(12))

    def feed_id(self) -> str:
        head = "".join(self.rng.choice("0123456789ABCDEF") for _ in range(32))
        tail = "A" + "".join(self.rng.choice(_B64) for _ in range(4)) + "QA"
        return f"{head}@{tail}"

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=1))

    def refund_id(self) -> str:
        return self.digits(12)

    def access_token(self) -> str:
        """An opaque JWE-looking token (``eyJ…..a.b.c``, walmart-api.md §2)."""
        self._counter += 1
        header = {"kid": self.uuid(), "enc": "A256GCM", "alg": "dir"}
        encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
        parts = [
            "".join(self.rng.choice(_B64) for _ in range(n))
            for n in (22, 180 + self._counter % 7, 22)
        ]
        return f"{encoded}..{parts[0]}.{parts[1]}.{parts[2]}"


def gtin_check_digit(body: str) -> int:
    """GS1 check digit for the digits before it (weights 3,1,3,… from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin_is_valid(gtin: str) -> bool:
    """True for an 8/12/13/14-digit GTIN whose last digit is its check digit (§3.2:
    a wrong check digit is ``ERR_PDI_0047``)."""
    if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
        return False
    return gtin_check_digit(gtin[:-1]) == int(gtin[-1])


def make_gtin14(body13: str) -> str:
    """Complete 13 digits into a valid GTIN-14."""
    return body13 + str(gtin_check_digit(body13))
