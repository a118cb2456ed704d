"""carpool's second showcase: a sales dashboard over one batched forecasting function.

    carpool run examples/dashboard.py

- **Forecast**: the chosen regions' monthly sales and a linear-trend forecast, as a ``Dataframe``, a
  ``LinePlot`` (history and forecast) and a ``BarPlot`` (totals). ``forecast`` is ``batch=True``: the
  requests waiting together are fitted in **one** ``numpy.polyfit`` call over every (request, region)
  series at once.
- **Select a row** of the table (``.select`` with ``SelectData``) to see that region's months as a
  ``ScatterPlot``.
- **Region cards** are built by ``@carpool.render`` from the chosen regions; each card's button asks the
  batched ``explain`` function, so cards pressed together share one call.

The data is made up (a seeded generator), so the app runs anywhere without downloads.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

import carpool as cp

REGIONS = ["North", "South", "East", "West"]
MONTHS = pd.date_range("2025-01-01", periods=24, freq="MS")


def _history() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for k, region in enumerate(REGIONS):
        trend = 100 + 20 * k + (3 + k) * np.arange(len(MONTHS))
        season = 12 * np.sin(2 * np.pi * (np.arange(len(MONTHS)) + k) / 12)
        noise = rng.normal(0, 6, len(MONTHS))
        for month, sales in zip(MONTHS, trend + season + noise, strict=True):
            rows.append({"region": region, "month": month, "sales": round(float(sales), 1)})
    return pd.DataFrame(rows)


HISTORY = _history()
SERIES = {region: HISTORY[HISTORY.region == region].sales.to_numpy() for region in REGIONS}


def _fit_trends(series: list[np.ndarray]) -> np.ndarray:
    """One least-squares line per series, all in one polyfit call (each series is a column)."""
    months = np.arange(len(MONTHS))
    return np.polyfit(months, np.stack(series, axis=1), deg=1)  # shape (2, n_series): slope, intercept


def forecast(regions_batch: list[list[str]], horizons: list[float]) -> tuple[list[Any], list[Any], list[Any]]:
    """Batched: one list per input in, one list per output back (a table, a line plot, a bar plot)."""
    wanted = [list(regions or REGIONS) for regions in regions_batch]
    flat = [region for regions in wanted for region in regions]
    coefficients = iter(_fit_trends([SERIES[region] for region in flat]).T)
    tables, lines, bars = [], [], []
    for regions, horizon in zip(wanted, horizons, strict=True):
        future = pd.date_range(MONTHS[-1], periods=int(horizon) + 1, freq="MS")[1:]
        steps = np.arange(len(MONTHS), len(MONTHS) + len(future))
        frames = []
        for region in regions:
            slope, intercept = next(coefficients)
            past = HISTORY[HISTORY.region == region].assign(kind="history")
            ahead = pd.DataFrame(
                {"region": region, "month": future, "sales": np.round(slope * steps + intercept, 1)}
            )
            frames += [past, ahead.assign(kind="forecast")]
        both = pd.concat(frames, ignore_index=True)
        both["series"] = both.region + " " + both.kind
        table = both[both.kind == "forecast"][["region", "month", "sales"]].copy()
        table["month"] = table.month.dt.strftime("%Y-%m")
        tables.append(table.reset_index(drop=True))
        lines.append(both)
        bars.append(both.groupby(["region", "kind"], as_index=False).sales.sum())
    return tables, lines, bars


def region_months(table: pd.DataFrame, evt: cp.SelectData) -> tuple[pd.DataFrame, str]:
    """The row clicked in the forecast table -> that region's past months, as a scatter plot."""
    row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
    region = str(table.iloc[int(row)]["region"])
    past = HISTORY[HISTORY.region == region].assign(month_of_year=lambda f: f.month.dt.month)
    return (
        past,
        f"**{region}**: {len(past)} months, best {past.sales.max():.0f}, worst {past.sales.min():.0f}",
    )


def explain(regions: list[str]) -> list[list[str]]:
    """Batched: a short reading of each region's trend; the cards pressed together share one fit."""
    slopes, _ = _fit_trends([SERIES[region] for region in regions])
    texts = [
        f"{region} grows by about **{slope:.1f}** a month ({'fast' if slope > 4.5 else 'steady'})."
        for region, slope in zip(regions, slopes, strict=True)
    ]
    return [texts]


with cp.Blocks(title="carpool dashboard") as demo:
    cp.Markdown("# Sales dashboard\nOne batched forecast feeds the table and both plots.")
    with cp.Row():
        regions = cp.CheckboxGroup(REGIONS, value=["North", "East"], label="Regions")
        horizon = cp.Slider(1, 12, value=6, step=1, label="Months ahead")
        run = cp.Button("Forecast", variant="primary")
    with cp.Row():
        lines = cp.LinePlot(x="month", y="sales", color="series", title="Monthly sales", height=300)
        bars = cp.BarPlot(x="region", y="sales", color="kind", title="Total sales", height=300)
    with cp.Row():
        table = cp.Dataframe(label="Forecast (select a row)", interactive=False, max_height=320)
        with cp.Column():
            months = cp.ScatterPlot(
                x="month_of_year", y="sales", title="Months of the selected region", height=240
            )
            summary = cp.Markdown("Select a row of the forecast.")
    run.click(
        forecast, [regions, horizon], [table, lines, bars], batch=True, max_batch_size=16, api_name="forecast"
    )
    demo.load(
        forecast, [regions, horizon], [table, lines, bars], batch=True, max_batch_size=16, api_name=False
    )
    table.select(region_months, table, [months, summary])

    @cp.render(inputs=regions)
    def region_cards(chosen: list[str] | None) -> None:
        with cp.Row():
            for region in chosen or []:
                with cp.Column(min_width=180):
                    name = cp.State(region)
                    note = cp.Markdown(f"### {region}", key=f"note-{region}")
                    cp.Button(f"Explain {region}", key=f"explain-{region}").click(
                        explain, name, note, batch=True, max_batch_size=16
                    )


if __name__ == "__main__":
    demo.queue().launch()
