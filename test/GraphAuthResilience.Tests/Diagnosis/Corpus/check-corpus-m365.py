#!/usr/bin/env python3
"""Checks the Microsoft 365 workload corpus files (tuned/m365.json, heldout/m365.json).

Valid JSON, every required field, known causes and token kinds, unique ids, each case in the part the
split rule puts it in (first byte of SHA-256 over the UTF-8 of its id: % 3 == 0 held out), and every
"source" unique across all corpus files in this folder. Exit code 1 on any problem.
"""
import glob
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAUSES = {
    "Unknown", "MissingToken", "InvalidToken", "ExpiredToken", "WrongAudience", "PersonalAccountNotSupported",
    "InsufficientPermissions", "TokenTypeMismatch", "PasswordResetRequiresDelegatedAdmin",
    "UserNotPrivilegedOrLicensed", "ConsentRequired", "InteractionRequired", "UnsatisfiedClaimsChallenge",
    "TokenAcquisitionFailed", "PolicyRestricted", "TenantNotOnboarded",
}
KINDS = {"app", "delegated", "personal", "opaque", "none"}
REQUIRED = ["id", "source", "workload", "request", "status", "headers", "body", "token", "tokenAsDescribed",
            "resolution", "fix", "expect"]
METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def part_of(case_id):
    return "heldout" if hashlib.sha256(case_id.encode("utf-8")).digest()[0] % 3 == 0 else "tuned"


def main():
    problems = []
    sources = {}
    for path in sorted(glob.glob(os.path.join(HERE, "**", "*.json"), recursive=True)):
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except ValueError as e:
            problems.append(f"{path}: not valid JSON: {e}")
            continue
        for case in doc.get("cases", []):
            src = case.get("source")
            if src in sources:
                problems.append(f"source {src} in both {sources[src]} and {os.path.relpath(path, HERE)}")
            sources[src] = os.path.relpath(path, HERE)

    ids = set()
    counts = {}
    for part in ("tuned", "heldout"):
        path = os.path.join(HERE, part, "m365.json")
        if not os.path.exists(path):
            problems.append(f"{path} missing")
            continue
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if not isinstance(doc.get("$comment"), str):
            problems.append(f"{part}/m365.json: no $comment")
        for case in doc.get("cases", []):
            cid = case.get("id", "(no id)")
            where = f"{part}/m365.json {cid}"
            for field in REQUIRED:
                if field not in case:
                    problems.append(f"{where}: missing {field}")
            if cid in ids:
                problems.append(f"{where}: duplicate id")
            ids.add(cid)
            if part_of(cid) != part:
                problems.append(f"{where}: belongs in {part_of(cid)}")
            method = case.get("request", "").split(" ", 1)[0]
            if method not in METHODS or " https://" not in case.get("request", ""):
                problems.append(f"{where}: request is not 'METHOD https://...'")
            if not isinstance(case.get("status"), int):
                problems.append(f"{where}: status is not a number")
            if not isinstance(case.get("headers"), dict):
                problems.append(f"{where}: headers is not an object")
            try:
                if not isinstance(json.loads(case.get("body", "")), dict):
                    problems.append(f"{where}: body is not a JSON object")
            except ValueError:
                pass  # some services answer with text or HTML; kept as quoted
            token = case.get("token", {})
            if token.get("kind") not in KINDS:
                problems.append(f"{where}: token.kind {token.get('kind')!r}")
            if "scp" in token and not isinstance(token["scp"], str):
                problems.append(f"{where}: token.scp must be a space-separated string")
            if "roles" in token and not isinstance(token["roles"], list):
                problems.append(f"{where}: token.roles must be a list")
            expect = case.get("expect", {})
            if expect.get("cause") not in CAUSES:
                problems.append(f"{where}: expect.cause {expect.get('cause')!r}")
            if "permissions" in expect and not (isinstance(expect["permissions"], list) and expect["permissions"]):
                problems.append(f"{where}: expect.permissions must be a non-empty list")
            if not str(case.get("source", "")).startswith("https://"):
                problems.append(f"{where}: source is not a URL")
            counts[part] = counts.get(part, 0) + 1

    for p in problems:
        print("PROBLEM:", p)
    print(f"m365 corpus: {counts.get('tuned', 0)} tuned, {counts.get('heldout', 0)} held out; "
          f"{len(sources)} sources across all corpus files; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
