"""The data of a chart as a page hands it to static/js/charts.js (through json_script): a
Chart.js type, the labels along the axis, and one or more series. Labels are made text
here, in the active language."""

from decimal import Decimal


def series(label, values, *, colors=None) -> dict:
    """One series: its name in the legend, its values, and optionally a colour per value."""
    data = {
        "label": str(label),
        "data": [float(value) if isinstance(value, Decimal) else value for value in values],
    }
    if colors:
        data["colors"] = list(colors)
    return data


def chart(kind: str, labels, *datasets: dict, stacked: bool = False) -> dict:
    """The chart, and its figures row by row for the table that reads it out to those who
    cannot see it."""
    labels = [str(label) for label in labels]
    rows = [
        (label, [dataset["data"][index] for dataset in datasets])
        for index, label in enumerate(labels)
    ]
    return {
        "type": kind,
        "labels": labels,
        "datasets": list(datasets),
        "stacked": stacked,
        "rows": rows,
    }
