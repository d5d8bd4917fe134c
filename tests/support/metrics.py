"""Reading a /metrics answer in tests: a sample's value, by name and labels."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def sample(text: str, name: str, **labels: str) -> float:
    """The sum of the samples named `name` whose labels include `labels` (as PromQL's
    `sum(name{labels})`); 0 when none is listed (a counter never touched)."""
    return sum(s.value for family in text_string_to_metric_families(text)
               for s in family.samples
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))
