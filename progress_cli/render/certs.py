"""Terminal views (Rich) of the certification results (`progress cert ...`, `progress keys show`).
They take plain results and compute nothing."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from progress_cli.certs.eligibility import shown

STATUS_STYLE = {"VALID": "bold green", "EXPIRED": "bold yellow", "REVOKED": "bold red", "INVALID": "bold red",
                "UNCHECKED": "bold yellow"}


def _num(value: float | None) -> str:
    return "—" if value is None else shown(value)


def check_view(result: dict[str, Any]) -> Table:
    learner = result["learner"]
    who = learner["id"] + (f" ({learner['name']})" if learner["name"] else "")
    verdict = Text("eligible", "bold green") if result["eligible"] else Text("not eligible yet", "bold yellow")
    table = Table(title=Text(f"{result['certification']['name']}: {who}"), caption=Text(_check_caption(result)),
                  title_justify="left", caption_justify="left")
    table.add_column("requirement")
    table.add_column("required", justify="right")
    table.add_column("current", justify="right")
    table.add_column("met", justify="center")
    for r in result["requirements"]:
        table.add_row(Text(r["name"]), f"{r['required']:g}", _num(r["current"]),
                      Text("✓", "green") if r["met"] else Text("✗", "red"))
    table.add_section()
    table.add_row(Text("certificate progress", "bold"), "100", _num(result['certificate_progress']), verdict)
    return table


def _check_caption(result: dict[str, Any]) -> str:
    guess = result["estimated_eligibility"]
    if result["eligible"]:
        lines = ["Every requirement is met."]
    elif guess["estimate"]:
        lines = [f"Estimated eligible on {guess['estimate']} ({guess['basis']})."]
    else:
        lines = [f"No estimated date: {guess['reason']}."]
    cert = result["certificate"]
    if cert:
        lines.append(f"Latest certificate {cert['code']}: {cert['status']}, valid until {cert['valid_until'][:10]}.")
    return "\n".join(lines)


def list_table(rows: list[dict[str, Any]]) -> Table:
    certifications = sorted({r["certification"] for r in rows})
    one = len(certifications) == 1
    table = Table(title=Text(f"{certifications[0] if one else 'Certificates'} ({len(rows)})"))
    table.add_column("code", no_wrap=True)
    table.add_column("learner")
    table.add_column("name")
    if not one:
        table.add_column("certification")
    table.add_column("valid until", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("days left", justify="right")
    for r in rows:
        status = r["status"] + (" (replaced)" if r["superseded_by"] else "")
        cells = [Text(v) for v in (r["code"], r["learner_id"], r["learner_name"] or "")]
        cells += [] if one else [Text(r["certification"])]
        table.add_row(*cells, r["valid_until"][:10], Text(status, style=STATUS_STYLE.get(r["status"], "")),
                      str(r["days_left"]) if r["status"] == "VALID" else "—")
    return table


def verify_view(result: dict[str, Any]) -> Text:
    out = Text()
    out.append(result["status"], style=STATUS_STYLE.get(result["status"], ""))
    out.append(f": {result['reason']}\n")
    cert = result["certificate"]
    if cert:
        name = cert["learner_name"] or cert["learner_id"] or "?"
        out.append(f"  {cert['certification']}, awarded to {name}\n")
        out.append(f"  issued {cert['issued_at']}, valid until {cert['valid_until']}\n")
        if cert["code"]:
            out.append(f"  code {cert['code']}, certificate {cert['certificate_id']}\n")
    if result["issuer"]:
        name = (result.get("issuer_profile") or {}).get("name")
        out.append(f"  issuer {name} ({result['issuer']})\n" if name else f"  issuer {result['issuer']}\n")
    for name, value in result["checks"].items():
        out.append(f"  {name.replace('_', ' ')}: {value}\n", style="dim")
    return out


def keys_view(result: dict[str, Any]) -> Text:
    out = Text()
    current = result["current"]
    if current:
        out.append("Signing key (Ed25519)\n", style="bold")
        out.append(f"  did:key  {current['did']}\n  kid      {current['verification_method']}\n")
        out.append(f"  created  {current['created_at']}\n")
        present = "" if current["private_key_present"] else "  (MISSING)"
        out.append(f"  private key file {current['private_key_file']}{present}\n")
        out.append(current["public_key_pem"])
    for old in result["retired"]:
        out.append(f"Retired {old['retired_at']}: {old['did']}\n", style="dim")
    return out
