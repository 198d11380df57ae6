"""The SAMPLE colour rule sets and checkpoint acceptance policies shipped with the package (see
data/README.md: not official)."""

from __future__ import annotations

import json
from importlib import resources

from dyrd.healthcode.compute.acceptance import Policy, parse_policy
from dyrd.healthcode.compute.colour import Rule
from dyrd.healthcode.compute.ruleset import parse_rule

SAMPLE_FILES = ("SH.json", "JS.json", "ZJ.json", "AH.json")


def sample_rules() -> list[Rule]:
    """Every rule version of the four sample rule sets (each marked ``sample``)."""
    out: list[Rule] = []
    folder = resources.files("dyrd.healthcode") / "data" / "rules"
    for name in SAMPLE_FILES:
        document = json.loads((folder / name).read_text(encoding="utf-8"))
        for i, raw in enumerate(document["rules"]):
            rule, problems = parse_rule(raw, location=f"{name}.rules[{i}]")
            if rule is None:  # a packaging mistake: fail loudly, naming the rule
                raise ValueError(f"bad sample rule: {problems[0].location}: {problems[0].message}")
            out.append(rule)
    return out


def sample_policies() -> list[Policy]:
    """Every version of the four SAMPLE checkpoint acceptance policies (each ``sample``)."""
    out: list[Policy] = []
    folder = resources.files("dyrd.healthcode") / "data" / "acceptance"
    for name in SAMPLE_FILES:
        document = json.loads((folder / name).read_text(encoding="utf-8"))
        for i, raw in enumerate(document["policies"]):
            policy, problems = parse_policy(raw, location=f"{name}.policies[{i}]")
            if policy is None:  # a packaging mistake: fail loudly, naming the policy
                raise ValueError(
                    f"bad sample policy: {problems[0].location}: {problems[0].message}"
                )
            out.append(policy)
    return out
