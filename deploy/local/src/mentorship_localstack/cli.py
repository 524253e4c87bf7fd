"""``mentorship-stack up|down|status|clean|env``: the local Kafka and MongoDB server for people."""

from __future__ import annotations

import argparse
import json
import sys

from mentorship_localstack.stack import LocalStack, StackError, external_endpoints


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mentorship-stack",
        description="Run a real Apache Kafka broker and a MongoDB wire-protocol server locally.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start (or reuse) the stack and wait until it is ready")
    sub.add_parser("down", help="stop the stack, keeping its data")
    sub.add_parser("status", help="print what runs, where, and the log files, as JSON")
    sub.add_parser("clean", help="stop the stack and delete its data and logs")
    sub.add_parser("env", help="print the environment variables that point at the stack")
    args = parser.parse_args(argv)
    stack = LocalStack()
    try:
        if args.command == "up":
            endpoints = stack.up()
            print(f"Kafka:   {endpoints.kafka_bootstrap_servers}")
            print(f"MongoDB: {endpoints.mongodb_url}")
            print(f"Logs:    {stack.paths.logs}")
        elif args.command == "down":
            stack.down()
            print("stopped")
        elif args.command == "status":
            print(json.dumps(stack.status(), indent=2))
        elif args.command == "clean":
            stack.clean()
            print(f"stopped and removed {stack.paths.state}")
        elif args.command == "env":
            running = external_endpoints() or stack.endpoints()
            if running is None:
                print("the local stack is not running: run `make infra-up`", file=sys.stderr)
                return 1
            for name, value in running.as_environment().items():
                print(f"export {name}={value}")
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
