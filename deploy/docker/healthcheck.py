"""Container health probe: exit 0 when the service answers 200 on a path, 1 otherwise.

Used by every image's HEALTHCHECK and by docker-compose.yml. The images are slim Python
without curl or wget, so this is the standard library only.

    python /opt/mlc/healthcheck.py [PATH_OR_URL]

``PATH_OR_URL`` defaults to ``/healthz``. A path is asked of the service's own HTTP port
(``MLC_HTTP_PORT``, default 8080) on the loopback address, or on ``MLC_HTTP_HOST`` when that
names one specific address; a full ``http://`` URL is asked as given (the simulators).
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 4.0
"""Under the HEALTHCHECK timeout (5 s), so a hung service reads as unhealthy, not as a
probe that was killed."""

_ANY_ADDRESS = {"", "0.0.0.0", "::", "[::]"}


def probe_url(target: str, environ: dict[str, str]) -> str:
    if target.startswith(("http://", "https://")):
        return target
    host = environ.get("MLC_HTTP_HOST", "")
    host = "127.0.0.1" if host in _ANY_ADDRESS else host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal
    port = environ.get("MLC_HTTP_PORT", "8080")
    path = target if target.startswith("/") else f"/{target}"
    return f"http://{host}:{port}{path}"


def check(url: str) -> str | None:
    """``None`` when healthy, else what went wrong (printed for ``docker inspect``)."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - http(s) only, see probe_url
            status = int(response.status)
    except urllib.error.HTTPError as error:
        return f"{url} answered {error.code}"
    except (OSError, ValueError) as error:
        return f"{url} did not answer: {error}"
    return None if status == 200 else f"{url} answered {status}"


def main(argv: list[str]) -> int:
    url = probe_url(argv[1] if len(argv) > 1 else "/healthz", dict(os.environ))
    problem = check(url)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
