"""HTTP routes: forecasts, levels and scenarios, with 4xx problem bodies for bad input."""

from __future__ import annotations

from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def test_forecasts_and_bad_origin(client: TestClient) -> None:
    r = client.get("/api/v1/epidemic/forecasts", params={"origin": "2020-02-19", "members": 20})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["cities"]) == 41
    assert len(body["cities"][0]["forecasts"][0]["quantiles"]) == 23
    r = client.get("/api/v1/epidemic/forecasts", params={"origin": "2019-12-01"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
    assert "origin" in r.json()["detail"]
    r = client.get("/api/v1/epidemic/forecasts", params={"members": 5})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)


def test_levels_with_thresholds_and_refused_order(client: TestClient) -> None:
    r = client.get("/api/v1/epidemic/levels", params={"origin": "2020-02-05", "members": 20})
    assert r.status_code == 200, r.text
    c = r.json()["cities"][0]
    assert c["level_roman"] in {"I", "II", "III", "IV"}
    assert c["reason_zh"]
    assert c["reason_en"]
    r = client.get(
        "/api/v1/epidemic/levels",
        params={"level_iii": 80, "level_ii": 50, "level_i": 100, "members": 20},
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)


def test_scenarios_validate_and_run(client: TestClient) -> None:
    body = {
        "start": "2020-01-24",
        "days": 30,
        "n_members": 1,
        "stochastic": False,
        "interventions": [
            {"kind": "mobility", "reduction": 0.9, "start": "2020-01-24", "cities": ["310000"]},
            {"kind": "transmission", "reduction": 0.5, "start": "2020-01-30"},
        ],
    }
    r = client.post("/api/v1/epidemic/scenarios", json=body)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert len(rep["cities"]) == 41
    assert len(rep["dates"]) == 30
    sh = next(c for c in rep["cities"] if c["code"] == "310000")
    assert sh["exposed_gdp_share"] > 0.8
    for bad, status in (
        ({**body, "days": 1000}, 422),
        (
            {
                **body,
                "interventions": [{"kind": "mobility", "reduction": 2, "start": "2020-01-24"}],
            },
            422,
        ),
        ({**body, "interventions": [{"kind": "x", "reduction": 0.5, "start": "2020-01-24"}]}, 422),
        ({**body, "start": "2021-01-01"}, 404),
        (
            {
                **body,
                "interventions": [
                    {
                        "kind": "mobility",
                        "reduction": 0.5,
                        "start": "2020-01-24",
                        "cities": ["123456"],
                    }
                ],
            },
            404,
        ),
        (
            {
                **body,
                "interventions": [{"kind": "mobility", "reduction": 0.5, "start": "2020-06-01"}],
            },
            422,
        ),
    ):
        r = client.post("/api/v1/epidemic/scenarios", json=bad)
        assert r.status_code == status, (bad, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)


def test_calibration_diagnostics(client: TestClient) -> None:
    r = client.get("/api/v1/epidemic/calibration")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["parameters"] == ["beta", "mu", "theta", "Z", "alpha", "D"]
    rows = {row["name"]: row for row in body["posterior"]}
    assert set(rows) == {"beta", "mu", "theta", "Z", "alpha", "D", "Re"}
    alpha = rows["alpha"]
    assert alpha["paper"] == {"median": 0.14, "low": 0.1, "high": 0.18}
    assert alpha["inside_paper_interval"] is (0.1 <= alpha["estimate"] <= 0.18)
    assert rows["beta"]["paper"] is None
    assert body["ensemble_size"] == 300
    # Iteration 0 starts at the prior's midpoints; each later row is a filtered mean.
    assert len(body["iteration_means"]) == 11
    assert body["iteration_means"][0][4] == (0.02 + 1.0) / 2
