"""``python -m applylens_local gateway --port N``: serve every service's HTTP paths in one process."""

from __future__ import annotations

import argparse

from applylens_platform.logging import configure_logging
from applylens_platform.serve import run_http

from .gateway import build_gateway
from .services import gateway_routes


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m applylens_local")
    sub = parser.add_subparsers(dest="command", required=True)
    gw = sub.add_parser("gateway", help="serve /learner, /policy, /money, /chat in one ASGI process")
    gw.add_argument("--host", default="127.0.0.1")
    gw.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    configure_logging("INFO", json=False)
    run_http(build_gateway(gateway_routes()), args.host, args.port)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
