"""The training catalog (DESIGN section 3): TOML in, frozen dataclasses out.

Pure: no store, no terminal. Every error names the file and the key, and unknown keys are
refused so that a typo never silently changes a formula.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from urllib.parse import urlsplit
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from progress_cli.errors import CatalogError

READINESS_LEVELS = ("BEGINNER", "DEVELOPING", "PROFICIENT", "ADVANCED")
ACHIEVEMENT_TYPES = ("milestone", "streak", "mastery", "challenge", "improvement", "completion")
DEFAULT_PASS_MARK = 70.0

# `metric[arg] comparison value`, e.g. `module_completion[safety] >= 100`.
_REQUIREMENT = re.compile(r"^\s*([a-z_]+)(?:\[([^\]]+)\])?\s*(>=|<=|==|>|<)\s*([^\s<>=]+)\s*$")
METRICS_WITH_ARG = {
    "module_completion", "module_readiness", "skill_mastery", "skill_improvement", "challenge_wins",
}
METRICS_PLAIN = {
    "total_progress", "certificate_progress", "streak_days", "sessions", "total_hours",
    "weekly_goal_weeks",
}


@dataclass(frozen=True)
class Skill:
    id: str
    name: str


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    skills: tuple[str, ...] = ()
    difficulty: int | None = None


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    pass_mark: float = DEFAULT_PASS_MARK
    target_date: dt.date | None = None
    tasks: tuple[Task, ...] = ()


@dataclass(frozen=True)
class Certification:
    name: str
    validity_years: int = 2
    min_completion: float = 0.0
    module_scores: dict[str, float] = field(default_factory=dict)
    skill_mastery: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Requirement:
    metric: str
    arg: str | None
    op: str
    value: float | str  # a level word for module_readiness, else a number


@dataclass(frozen=True)
class Achievement:
    id: str
    type: str
    name: str
    description: str = ""
    icon: str = ""
    points: int = 0
    requirements: tuple[Requirement, ...] = ()


@dataclass(frozen=True)
class XapiMapping:
    """How xAPI activity IRIs become module and task ids (DESIGN section 2)."""

    activity_base: str | None = None
    activities: dict[str, str] = field(default_factory=dict)

    def activity_id(self, iri: str) -> str:
        if iri in self.activities:
            return self.activities[iri]
        if self.activity_base and iri.startswith(self.activity_base) and iri != self.activity_base:
            return iri[len(self.activity_base):]
        return iri


@dataclass(frozen=True)
class Issuer:
    """Who signs the certificates (DESIGN 3, 6.1): the credential's issuer profile."""

    name: str
    url: str | None = None
    email: str | None = None
    verify_url: str | None = None  # where `cert publish` is served; always ends with "/"
    did: str = "key"  # "key" or "web"


LOCAL_HOSTS = ("localhost", "127.0.0.1")


def web_address_problem(url: str) -> str | None:
    """Why `url` cannot be a public address of the issuer, or None: https, or http on
    localhost / 127.0.0.1 (a local preview needs no TLS)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an https:// URL"
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        return "must be https:// (http:// only on localhost or 127.0.0.1)"
    if parts.username or parts.password or parts.query or parts.fragment:
        return "must have no user, query or fragment"
    return None


@dataclass(frozen=True)
class Catalog:
    weekly_goal_minutes: float = 150.0
    streak_min_minutes: float = 0.0
    target_pace_tasks_per_week: float = 10.0
    skills: tuple[Skill, ...] = ()
    modules: tuple[Module, ...] = ()
    certification: Certification | None = None
    achievements: tuple[Achievement, ...] = ()
    xapi: XapiMapping = field(default_factory=XapiMapping)
    issuer: Issuer | None = None

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def task_modules(self) -> dict[str, str]:
        """task id -> the id of the module that lists it."""
        return {t.id: m.id for m in self.modules for t in m.tasks}

    def task_skills(self) -> dict[str, tuple[str, ...]]:
        return {t.id: t.skills for m in self.modules for t in m.tasks}

    def fingerprint(self) -> str:
        """SHA-256 of the parsed catalog: recompute stores the one its figures were computed
        with, and the reads answer from those figures only under the same catalog."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()

    def skill_ids(self) -> list[str]:
        """Declared skills first, then skills only named by tasks, each once."""
        seen = dict.fromkeys(s.id for s in self.skills)
        for m in self.modules:
            for t in m.tasks:
                seen.update(dict.fromkeys(t.skills))
        return list(seen)


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate a catalog file; raises CatalogError naming the file and key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"{path}: catalog file not found") from None
    except IsADirectoryError:
        raise CatalogError(f"{path}: is a directory, not a catalog file") from None
    except UnicodeDecodeError:
        raise CatalogError(f"{path}: not UTF-8 text") from None
    return parse_catalog(text, source=str(path))


def parse_catalog(text: str, source: str = "<catalog>") -> Catalog:
    """Validate catalog TOML text (the store keeps the text and re-parses it)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{source}: invalid TOML: {exc}") from None
    return _Parser(source).catalog(data)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> CatalogError:
        return CatalogError(f"{self.source}: {key}: {problem}")

    def keys(self, table: Any, where: str, allowed: set[str], required: tuple[str, ...] = ()) -> dict:
        if not isinstance(table, dict):
            raise self.fail(where, "must be a table")
        for key in table:
            if key not in allowed:
                raise self.fail(f"{where}.{key}" if where else key, "unknown key")
        for key in required:
            if key not in table:
                raise self.fail(f"{where}.{key}" if where else key, "is required")
        return table

    def ident(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "must be a non-empty string")
        return value

    def number(self, value: Any, where: str, lo: float = 0.0, hi: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(where, "must be a number")
        if value < lo or (hi is not None and value > hi):
            bound = f"between {lo:g} and {hi:g}" if hi is not None else f">= {lo:g}"
            raise self.fail(where, f"must be {bound}, got {value}")
        return float(value)

    def catalog(self, data: dict) -> Catalog:
        self.keys(data, "", {
            "weekly_goal_minutes", "streak_min_minutes", "target_pace_tasks_per_week",
            "skills", "modules", "certification", "achievements", "xapi", "issuer",
        })
        skills = tuple(self.skill(s, f"skills[{i}]") for i, s in enumerate(self.array(data, "skills")))
        modules = tuple(self.module(m, f"modules[{i}]") for i, m in enumerate(self.array(data, "modules")))
        self.unique([s.id for s in skills], "skills")
        self.unique([m.id for m in modules], "modules")
        self.unique([t.id for m in modules for t in m.tasks], "modules[].tasks")
        declared = {s.id for s in skills}
        if declared:
            for m in modules:
                for t in m.tasks:
                    for s in t.skills:
                        if s not in declared:
                            raise self.fail(f"modules.{m.id}.tasks.{t.id}.skills", f"unknown skill {s!r}")
        catalog = Catalog(
            weekly_goal_minutes=self.number(data.get("weekly_goal_minutes", 150), "weekly_goal_minutes"),
            streak_min_minutes=self.number(data.get("streak_min_minutes", 0), "streak_min_minutes"),
            target_pace_tasks_per_week=self.number(
                data.get("target_pace_tasks_per_week", 10), "target_pace_tasks_per_week"),
            skills=skills,
            modules=modules,
            achievements=tuple(
                self.achievement(a, f"achievements[{i}]") for i, a in enumerate(self.array(data, "achievements"))
            ),
            xapi=self.xapi(data.get("xapi", {})),
            issuer=self.issuer(data["issuer"]) if "issuer" in data else None,
        )
        self.unique([a.id for a in catalog.achievements], "achievements")
        if "certification" in data:
            cert = self.certification(data["certification"], catalog)
            catalog = Catalog(**{**catalog.__dict__, "certification": cert})
        return catalog

    def array(self, data: dict, key: str) -> list:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, "must be an array of tables ([[" + key + "]])")
        return value

    def unique(self, ids: list[str], where: str) -> None:
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                raise self.fail(where, f"duplicate id {i!r}")
            seen.add(i)

    def skill(self, table: Any, where: str) -> Skill:
        self.keys(table, where, {"id", "name"}, ("id",))
        sid = self.ident(table["id"], f"{where}.id")
        return Skill(id=sid, name=str(table.get("name", sid)))

    def module(self, table: Any, where: str) -> Module:
        self.keys(table, where, {"id", "title", "pass_mark", "target_date", "tasks"}, ("id",))
        mid = self.ident(table["id"], f"{where}.id")
        target = table.get("target_date")
        if target is not None and (not isinstance(target, dt.date) or isinstance(target, dt.datetime)):
            raise self.fail(f"{where}.target_date", "must be a date such as 2027-03-31")
        tasks = table.get("tasks", [])
        if not isinstance(tasks, list):
            raise self.fail(f"{where}.tasks", "must be an array")
        return Module(
            id=mid,
            title=str(table.get("title", mid)),
            pass_mark=self.number(table.get("pass_mark", DEFAULT_PASS_MARK), f"{where}.pass_mark", 0, 100),
            target_date=target,
            tasks=tuple(self.task(t, f"{where}.tasks[{i}]") for i, t in enumerate(tasks)),
        )

    def task(self, entry: Any, where: str) -> Task:
        if isinstance(entry, str):
            return Task(id=self.ident(entry, where), title=entry)
        self.keys(entry, where, {"id", "title", "skills", "difficulty"}, ("id",))
        tid = self.ident(entry["id"], f"{where}.id")
        skills = entry.get("skills", [])
        if not isinstance(skills, list):
            raise self.fail(f"{where}.skills", "must be an array of skill ids")
        difficulty = entry.get("difficulty")
        if difficulty is not None and (not isinstance(difficulty, int) or isinstance(difficulty, bool)
                                       or not 1 <= difficulty <= 5):
            raise self.fail(f"{where}.difficulty", "must be an integer 1..5")
        return Task(
            id=tid,
            title=str(entry.get("title", tid)),
            skills=tuple(self.ident(s, f"{where}.skills") for s in skills),
            difficulty=difficulty,
        )

    def certification(self, table: Any, catalog: Catalog) -> Certification:
        where = "certification"
        self.keys(table, where, {"name", "validity_years", "min_completion", "module_scores", "skill_mastery"})
        validity = table.get("validity_years", 2)
        if not isinstance(validity, int) or isinstance(validity, bool) or validity < 1:
            raise self.fail(f"{where}.validity_years", "must be a whole number of years >= 1")
        module_scores = self.thresholds(table.get("module_scores", {}), f"{where}.module_scores")
        skill_mastery = self.thresholds(table.get("skill_mastery", {}), f"{where}.skill_mastery")
        known_modules = {m.id for m in catalog.modules}
        for mid in module_scores:
            if known_modules and mid not in known_modules:
                raise self.fail(f"{where}.module_scores.{mid}", "unknown module")
        known_skills = set(catalog.skill_ids())
        for sid in skill_mastery:
            if known_skills and sid not in known_skills:
                raise self.fail(f"{where}.skill_mastery.{sid}", "unknown skill")
        return Certification(
            name=str(table.get("name", "Certificate")),
            validity_years=validity,
            min_completion=self.number(table.get("min_completion", 0), f"{where}.min_completion", 0, 100),
            module_scores=module_scores,
            skill_mastery=skill_mastery,
        )

    def thresholds(self, table: Any, where: str) -> dict[str, float]:
        if not isinstance(table, dict):
            raise self.fail(where, "must be a table of id = number")
        return {k: self.number(v, f"{where}.{k}", 0, 100) for k, v in table.items()}

    def achievement(self, table: Any, where: str) -> Achievement:
        self.keys(table, where, {"id", "type", "name", "description", "icon", "points",
                                 "requirement", "requirements"}, ("id",))
        aid = self.ident(table["id"], f"{where}.id")
        where = f"achievements.{aid}"
        kind = table.get("type", "milestone")
        if kind not in ACHIEVEMENT_TYPES:
            raise self.fail(f"{where}.type", f"must be one of {', '.join(ACHIEVEMENT_TYPES)}, got {kind!r}")
        if ("requirement" in table) == ("requirements" in table):
            raise self.fail(where, "needs exactly one of 'requirement' or 'requirements'")
        texts = table.get("requirements", [table.get("requirement")])
        if not isinstance(texts, list) or not texts:
            raise self.fail(f"{where}.requirements", "must be a non-empty array of strings")
        points = table.get("points", 0)
        if not isinstance(points, int) or isinstance(points, bool) or points < 0:
            raise self.fail(f"{where}.points", "must be a whole number >= 0")
        return Achievement(
            id=aid,
            type=kind,
            name=str(table.get("name", aid)),
            description=str(table.get("description", "")),
            icon=str(table.get("icon", "")),
            points=points,
            requirements=tuple(self.requirement(t, where) for t in texts),
        )

    def requirement(self, text: Any, where: str) -> Requirement:
        if not isinstance(text, str):
            raise self.fail(f"{where}.requirement", "must be a string such as 'streak_days >= 7'")
        match = _REQUIREMENT.match(text)
        if not match:
            raise self.fail(f"{where}.requirement",
                            f"cannot read {text!r}; expected 'metric comparison value'")
        metric, arg, op, raw = match.groups()
        if metric not in METRICS_PLAIN | METRICS_WITH_ARG:
            raise self.fail(f"{where}.requirement", f"unknown metric {metric!r}")
        if (metric in METRICS_WITH_ARG) != (arg is not None):
            form = f"{metric}[...]" if metric in METRICS_WITH_ARG else metric
            raise self.fail(f"{where}.requirement", f"{metric!r} is written {form}")
        value: float | str
        if metric == "module_readiness":
            if raw.upper() not in READINESS_LEVELS:
                raise self.fail(f"{where}.requirement",
                                f"readiness must be one of {', '.join(READINESS_LEVELS)}, got {raw!r}")
            value = raw.upper()
        else:
            try:
                value = float(raw)
            except ValueError:
                raise self.fail(f"{where}.requirement", f"value {raw!r} is not a number") from None
        return Requirement(metric=metric, arg=arg, op=op, value=value)

    def xapi(self, table: Any) -> XapiMapping:
        self.keys(table, "xapi", {"activity_base", "activities"})
        base = table.get("activity_base")
        if base is not None:
            self.ident(base, "xapi.activity_base")
        activities = table.get("activities", {})
        if not isinstance(activities, dict) or not all(isinstance(v, str) for v in activities.values()):
            raise self.fail("xapi.activities", "must be a table of \"IRI\" = \"id\"")
        return XapiMapping(activity_base=base, activities=dict(activities))

    def issuer(self, table: Any) -> Issuer:
        where = "issuer"
        self.keys(table, where, {"name", "url", "email", "verify_url", "did"}, ("name",))
        name = self.ident(table["name"], f"{where}.name")
        url = self.address(table.get("url"), f"{where}.url")
        verify_url = self.address(table.get("verify_url"), f"{where}.verify_url")
        if verify_url is not None and not verify_url.endswith("/"):
            verify_url += "/"  # the site's files are relative to it: c/<CODE>/, status/1.jwt
        email = table.get("email")
        if email is not None and (not isinstance(email, str) or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)):
            raise self.fail(f"{where}.email", f"must be an e-mail address, got {email!r}")
        did = table.get("did", "key")
        if did not in ("key", "web"):
            raise self.fail(f"{where}.did", f"must be \"key\" or \"web\", got {did!r}")
        if did == "web" and verify_url is None:
            raise self.fail(f"{where}.did", "\"web\" needs verify_url (the did:web is made from it)")
        return Issuer(name=name, url=url, email=email, verify_url=verify_url, did=did)

    def address(self, value: Any, where: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(where, "must be a URL string")
        problem = web_address_problem(value)
        if problem:
            raise self.fail(where, f"{problem}, got {value!r}")
        return value
