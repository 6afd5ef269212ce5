#!/usr/bin/env python3
"""Checks every corpus file of real Graph auth failures: valid JSON, required fields, statuses, the held-out split rule,
unique ids and unique sources across all files. Run: python3 check-corpus.py (from any folder)."""
import glob
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAUSES = {"Unknown", "MissingToken", "InvalidToken", "ExpiredToken", "WrongAudience", "PersonalAccountNotSupported",
          "InsufficientPermissions", "TokenTypeMismatch", "PasswordResetRequiresDelegatedAdmin",
          "UserNotPrivilegedOrLicensed", "ConsentRequired", "InteractionRequired", "UnsatisfiedClaimsChallenge",
          "TokenAcquisitionFailed", "PolicyRestricted", "TenantNotOnboarded"}
KINDS = {"app", "delegated", "personal", "opaque", "none"}
REQUIRED = ["id", "source", "request", "status", "headers", "body", "token", "resolution", "expect"]
NEW_REQUIRED = ["workload", "fix", "tokenAsDescribed"]
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def held_out(case_id):
    return hashlib.sha256(case_id.encode("utf-8")).digest()[0] % 3 == 0


def check_case(path, case, errors):
    where = f"{os.path.relpath(path, HERE)}:{case.get('id', '?')}"
    for field in REQUIRED:
        if field not in case:
            errors.append(f"{where}: missing {field}")
    split = os.path.basename(os.path.dirname(path))
    if split in ("tuned", "heldout"):
        for field in NEW_REQUIRED:
            if not isinstance(case.get(field), str) or not case.get(field).strip():
                errors.append(f"{where}: missing {field}")
        if held_out(case["id"]) != (split == "heldout"):
            errors.append(f"{where}: in {split}/ but the split rule puts it in the other part")
    if not str(case.get("source", "")).startswith("https://"):
        errors.append(f"{where}: source is not a URL")
    method, _, url = str(case.get("request", "")).partition(" ")
    if method not in METHODS or not url.startswith("https://"):
        errors.append(f"{where}: request is not 'METHOD https://...'")
    if not isinstance(case.get("headers"), dict) or not all(isinstance(v, str) for v in case.get("headers", {}).values()):
        errors.append(f"{where}: headers must be an object of strings")
    status = case.get("status")
    token_endpoint = case.get("tokenEndpoint") is True or case.get("stage") == "token-endpoint"
    body = case.get("body", "")
    try:
        parsed = json.loads(body) if body != "" else None
    except (TypeError, ValueError):
        parsed = None
        errors.append(f"{where}: body is not JSON (an empty body is allowed: some threads show none)")
    if token_endpoint:
        if status not in (400, 401) or not isinstance(parsed, dict) or "AADSTS" not in str(parsed.get("error_description", "")):
            errors.append(f"{where}: token-endpoint case needs status 400/401 and an AADSTS error JSON body")
    elif split in ("tuned", "heldout"):
        code = parsed.get("error", {}).get("code") if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict) else None
        # The one documented exception: Exchange answers MailboxNotEnabledForRESTAPI with 404.
        if status not in (400, 401, 403) and not (status == 404 and code == "MailboxNotEnabledForRESTAPI"):
            errors.append(f"{where}: status {status} is not 400/401/403")
        if not isinstance(parsed, dict) or not isinstance(parsed.get("error"), dict) or "code" not in parsed["error"]:
            errors.append(f"{where}: body is not a Graph error (error.code)")
    token = case.get("token", {})
    if token.get("kind") not in KINDS:
        errors.append(f"{where}: token.kind {token.get('kind')!r}")
    if "scp" in token and not isinstance(token["scp"], str):
        errors.append(f"{where}: token.scp must be a space-separated string")
    if "roles" in token and not (isinstance(token["roles"], list) and all(isinstance(r, str) for r in token["roles"])):
        errors.append(f"{where}: token.roles must be a list of strings")
    expect = case.get("expect", {})
    if expect.get("cause") not in CAUSES:
        errors.append(f"{where}: expect.cause {expect.get('cause')!r}")
    if "permissions" in expect and not (isinstance(expect["permissions"], list) and expect["permissions"]):
        errors.append(f"{where}: expect.permissions must be a non-empty list when present")


def main():
    files = sorted(glob.glob(os.path.join(HERE, "*.json")) + glob.glob(os.path.join(HERE, "*", "*.json")))
    errors, ids, sources = [], {}, {}
    counts = {}
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                document = json.load(f)
        except ValueError as e:
            errors.append(f"{path}: not valid JSON: {e}")
            continue
        if not isinstance(document.get("$comment"), str) or not isinstance(document.get("cases"), list):
            errors.append(f"{path}: needs $comment and cases")
            continue
        for case in document["cases"]:
            check_case(path, case, errors)
            rel = os.path.relpath(path, HERE)
            counts[rel] = counts.get(rel, 0) + 1
            for key, seen in (("id", ids), ("source", sources)):
                value = case.get(key)
                if value in seen:
                    errors.append(f"{rel}:{case.get('id')}: {key} also in {seen[value]}")
                seen[value] = f"{rel}:{case.get('id')}"
    for rel, n in counts.items():
        print(f"{rel}: {n} cases")
    for e in errors:
        print("ERROR", e)
    print(f"{len(ids)} cases, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
