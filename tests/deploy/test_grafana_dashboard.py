"""The Grafana dashboard and its provisioning fit together (its queries are run by test_monitoring_stack.py)."""

from __future__ import annotations

import re

import yaml

from tests.deploy.promql import DEPLOY, GRAFANA_VARIABLES, dashboard, metric_names, panel_queries, panels

PROVISIONING = DEPLOY / "grafana" / "provisioning"


def test_metric_names_skips_functions_keywords_labels_and_strings() -> None:
    expr = ('histogram_quantile(0.95, sum by (le, kind) (rate(a_bucket{job="x", feed=~"$feed"}[$__rate_interval])))'
            ' / on (instance) group_left (feed) b_total offset 5m > bool 2 unless c unless ignoring(x) d{e="f{g}"}')
    assert metric_names(expr) == {"a_bucket", "b_total", "c", "d"}


def test_every_query_uses_the_provisioned_datasource() -> None:
    [source] = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yaml").read_text())["datasources"]
    board = dashboard()
    for panel in panels(board):
        for target in [panel, *panel.get("targets", [])]:
            if "datasource" in target:
                assert target["datasource"] == {"type": "prometheus", "uid": source["uid"]}, panel["title"]
    for variable in board["templating"]["list"]:
        assert variable["datasource"]["uid"] == source["uid"], variable["name"]


def test_dashboard_is_for_grafana_10_and_11_and_laid_out_on_the_grid() -> None:
    board = dashboard()
    assert 38 <= board["schemaVersion"] <= 41  # Grafana 10.0 wrote 38; 11.x writes 39 to 41
    ids = [p["id"] for p in panels(board)]
    assert len(ids) == len(set(ids))
    for panel in panels(board):
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
    queries = panel_queries(board)
    assert len(queries) >= 25
    for where, expr in queries:
        for variable in re.findall(r"\$\w+", expr):
            assert variable in GRAFANA_VARIABLES, f"{where}: {variable}"


def test_grafana_loads_the_dashboard_from_where_compose_mounts_it() -> None:
    [provider] = yaml.safe_load((PROVISIONING / "dashboards" / "guetteur.yaml").read_text())["providers"]
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]["grafana"]
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in compose["volumes"]
    home = compose["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == f"{provider['options']['path']}/guetteur.json"
