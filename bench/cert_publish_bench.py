"""Publishing benchmark: `cert publish --out DIR` for N certificates (default 10,000).

Builds a store holding N signed certificates under a did:web issuer (each with its random
status-list index, 1 % of them revoked; names in Latin with diacritics, Greek and Cyrillic),
inserted directly rather than through `cert issue` (whose PDFs are `cert_bench.py`'s
subject), then publishes the site through the same service as `progress cert publish` and
prints:

- the first publish into an empty folder and a re-publish over it (time, files, bytes, the
  status list's size, how many times the status list was signed: once per run);
- a baseline in the same run: the same bytes written to the same number of files with a plain
  `write_bytes` (no rendering, no temporary file and rename), and the ratio to it. A re-publish
  leaves the credential files that have not changed (they never do) as they are.

    python bench/cert_publish_bench.py                      # 10,000 certificates
    python bench/cert_publish_bench.py --certificates 1000  # a quick run
    python bench/cert_publish_bench.py --keep --workdir DIR

Exit code: 0 when the first publish takes less than the target (30 s), 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))
sys.path.insert(0, str(REPO_DIR / "bench"))

from cert_bench import FIRST, LAST  # noqa: E402  (the same names in Latin, Greek and Cyrillic)

TARGET_S = 30.0
UTC = ZoneInfo("UTC")
CATALOG = """
[[skills]]
id = "hazard-id"
name = "Hazard identification"

[[skills]]
id = "first-aid"
name = "First aid"

[certification]
name = "Certified Line Operator"

[issuer]
name = "Acme Training"
url = "https://training.acme.example"
email = "certificates@acme.example"
verify_url = "https://certs.acme.example/"
did = "web"
"""



def build_store(workdir: Path, count: int) -> str:
    """A store with `count` certificates signed as `cert issue` signs them (1 % revoked)."""
    from typer.testing import CliRunner

    from progress_cli.certs import codes, issuing, statuslist
    from progress_cli.certs.credential import build_credential, sign
    from progress_cli.certs.identity import Identity
    from progress_cli.certs.model import Certificate, VerifiedSkill
    from progress_cli.cli import app
    from progress_cli.services.certs import current_signer, keys_dir
    from progress_cli.services.store_access import open_engine, stored_catalog
    from progress_cli.store import certs as store
    from progress_cli.store import write_transaction

    db = str(workdir / "store.db")
    (workdir / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    result = CliRunner().invoke(app, ["--db", db, "--tz", "UTC", "init", "--catalog", str(workdir / "catalog.toml")])
    if result.exit_code != 0:
        raise SystemExit(f"progress init failed: {result.output}")
    engine = open_engine(db)
    signer = current_signer(engine, keys_dir(db))
    identity = Identity(stored_catalog(engine).issuer, signer.public)
    issued_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(days=30)
    taken: set[int] = set()
    seen_codes: set[str] = set()
    with write_transaction(engine) as conn:
        for n in range(count):
            code = codes.new_code()
            while code in seen_codes:
                code = codes.new_code()
            seen_codes.add(code)
            index = statuslist.pick_index(taken.__contains__, statuslist.list_size(len(taken)))
            taken.add(index)
            cert = Certificate(
                certificate_id=str(uuid.uuid4()), code=code, learner_id=f"L{n:05d}",
                learner_name=f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}",
                certification="Certified Line Operator", criteria="Every requirement met.",
                issued_at=issued_at, valid_until=issued_at.replace(year=issued_at.year + 2), overall_score=82 + n % 17,
                skills=(VerifiedSkill("hazard-id", "Hazard identification", 85.0), VerifiedSkill("first-aid", "First aid", 90.5)))
            token = sign(build_credential(cert, identity.profile, statuslist.entry(identity.status_list_url, index)),
                         signer, identity.kid)
            row = issuing.store_row(cert, slot=1, key_id=signer.public.key_id, token=token) | {"status_index": index}
            if n % 100 == 0:
                row |= {"revoked_at": issuing.to_text(issued_at + dt.timedelta(days=1)), "revoked_reason": "bench"}
            store.insert_certificate(conn, row)
    engine.dispose()
    return db


def plain_baseline(site: Path, target: Path) -> tuple[float, int]:
    """Write the published files again with plain write_bytes; (seconds, files)."""
    files = [(p.relative_to(site), p.read_bytes()) for p in site.rglob("*") if p.is_file()]
    started = time.perf_counter()
    for relative, data in files:
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return time.perf_counter() - started, len(files)


def disk_kib(folder: Path) -> int:
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*")) // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the store and the site")
    args = parser.parse_args()

    import progress_cli.services.cert_site as cert_site
    from progress_cli.render.cert_site import CertSiteRenderer

    signed = []
    original_sign = cert_site.sign
    cert_site.sign = lambda *a, **k: signed.append(1) or original_sign(*a, **k)  # count the status list's signatures

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="progress-cli-publish-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"progress-cli publish bench: {args.certificates:,} certificates")
    print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")
    try:
        started = time.perf_counter()
        db = build_store(workdir, args.certificates)
        print(f"store built in {time.perf_counter() - started:.1f} s")
        site = workdir / "site"
        runs = []

        def publish(label: str) -> None:
            signed.clear()
            started = time.perf_counter()
            result = cert_site.publish_site(db, site, tz=UTC, renderer=CertSiteRenderer())
            runs.append((label, time.perf_counter() - started, result, len(signed)))

        # the disk is shared and its speed drifts: the baseline runs between the two publishes
        publish("first publish (empty folder)")
        baseline_s, baseline_files = plain_baseline(site, workdir / "baseline")
        publish("re-publish (files replaced)")
        status_bytes = (site / "status" / "1.jwt").stat().st_size
        print()
        print(f"{'run':30} {'seconds':>8} {'ms/cert':>8} {'files':>7} {'unchanged':>9} {'MB':>7} {'list signed':>12}")
        for label, seconds, result, signatures in runs:
            print(f"{label:30} {seconds:8.2f} {seconds * 1000 / args.certificates:8.3f} {result['files']:7,} "
                  f"{result['unchanged']:9,} {result['bytes'] / 1e6:7.1f} {signatures:12}")
        print(f"{'baseline: plain write_bytes':30} {baseline_s:8.2f} {baseline_s * 1000 / args.certificates:8.3f} "
              f"{baseline_files:7,}")
        first = runs[0][1]
        print(f"\nratio first publish / baseline: {first / baseline_s:.1f}x   re-publish / baseline: "
              f"{runs[1][1] / baseline_s:.1f}x")
        result = runs[0][2]
        print(f"site: {result['certificates']:,} certificates ({result['revoked']} revoked), "
              f"{result['bytes'] / 1e6:.1f} MB in files, {disk_kib(site) / 1024:.1f} MiB on disk; "
              f"status list {result['status_list']['entries']:,} entries, {status_bytes:,} bytes")
        print(json.dumps({"certificates": args.certificates, "first_s": round(first, 3), "republish_s": round(runs[1][1], 3),
                          "baseline_s": round(baseline_s, 3), "files": result["files"], "bytes": result["bytes"],
                          "status_list_bytes": status_bytes, "status_list_signatures": runs[0][3]}))
        verdict = "PASS" if first < TARGET_S else "FAIL"
        print(f"\nfirst publish {first:.1f} s   target < {TARGET_S:.0f} s   {verdict}")
        return 0 if verdict == "PASS" else 1
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
