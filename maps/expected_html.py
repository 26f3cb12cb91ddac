"""The report page's section on expected coverage (MEXCLP), from ``dispatch_geo.coverage.expected``."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from maps.report_text import fmt_int, fmt_pct, t


def expected_html(summary: Mapping[str, Any], lang: str, names: Mapping[str, str]) -> str:
    """A heading, the expected beside the plain figure, and the "add k units" scenarios with their sites."""
    population = float(summary["population"])
    q = float(summary["busy_fraction"])
    text = t(
        lang,
        "expected.text",
        q=fmt_pct(q, lang),
        source=t(lang, f"expected.source.{summary['busy_source']}"),
        expected=fmt_int(summary["expected_covered_population"], lang),
        share=fmt_pct(
            summary["expected_covered_population"] / population if population else float("nan"), lang
        ),
        covered=fmt_int(summary["covered_population"], lang),
        units=summary["units"],
        posts=len(names),
    )
    items = []
    for scenario in summary["scenarios"]:
        sites = "; ".join(
            t(lang, "expected.at_post", post=names.get(s["post_id"], s["post_id"]))
            if "post_id" in s
            else f"{s.get('desa') or '-'} ({s.get('kecamatan') or '-'})"
            for s in scenario["sites"]
        )
        items.append(
            t(
                lang,
                "expected.add",
                k=sum(s["units"] for s in scenario["sites"]),
                after=fmt_int(scenario["expected_after"], lang),
                gain=fmt_int(scenario["expected_after"] - scenario["expected_before"], lang),
                sites=sites,
            )
        )
    listing = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return f"<h2>{html.escape(t(lang, 'expected.title'))}</h2><p>{html.escape(text)}</p>" + (
        f"<ul>{listing}</ul>" if listing else ""
    )
