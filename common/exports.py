"""Downloads of a list as CSV or Excel, the one way the portal writes them.

Text that a spreadsheet would read as a formula (it begins with = + - @, a tab or a carriage
return) is written as text: in the CSV behind a single quote, as OWASP advises against CSV
injection, and in the workbook as a string cell, which Excel never evaluates. Numbers and
dates stay typed cells, so that the sheet can sum and sort them, and the totals of the
money columns close the sheet, one row per currency where the rows carry one."""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# How the workbook shows money, days and moments.
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Column:
    label: str
    total: bool = False  # the column's sum goes on the totals row
    number_format: str | None = None  # for the workbook: "#,##0.00", "yyyy-mm-dd"


def money(label) -> Column:
    """A money column, summed on the totals row."""
    return Column(label, total=True, number_format=MONEY_FORMAT)


def day(label) -> Column:
    return Column(label, number_format=DATE_FORMAT)


def moment(label) -> Column:
    """A date and time column; its values are local times without a zone (a workbook has
    none), as datetimes from `local_moment`."""
    return Column(label, number_format=DATETIME_FORMAT)


def local_moment(value):
    """A moment as the portal's local time, without the zone a workbook cannot hold."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def neutralised(value: str) -> str:
    """The text as a CSV cell a spreadsheet shows and never runs."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def totals(columns, rows, *, group_by: int | None = None) -> list[list]:
    """The totals rows: the sum of each column marked `total`, in one row, or one row per
    value of the column `group_by` (the currency), in the order the values first appear."""
    sums: dict = {}
    for row in rows:
        key = row[group_by] if group_by is not None else None
        row_sums = sums.setdefault(key, [Decimal("0")] * len(columns))
        for index, column in enumerate(columns):
            if column.total and row[index] is not None:
                row_sums[index] += row[index]
    result = []
    for key, row_sums in sums.items():
        line = [row_sums[index] if column.total else None for index, column in enumerate(columns)]
        line[0] = _("Total")
        if group_by is not None:
            line[group_by] = key
        result.append(line)
    return result


def download(*, filename: str, file_format: str, sheet: str, columns, rows, group_by=None):
    """The rows as a CSV or an Excel download, with their header and totals."""
    if file_format not in ("csv", "xlsx"):
        raise Http404
    rows = list(rows)
    body = [*rows, *totals(columns, rows, group_by=group_by)] if rows else []
    header = [str(column.label) for column in columns]
    if file_format == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")  # so that Excel reads the Chinese names as UTF-8
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows([_csv_cell(value) for value in row] for row in body)
        return response
    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(header)
    for row in body:
        worksheet.append(
            [
                _xlsx_cell(worksheet, value, column)
                for value, column in zip(row, columns, strict=True)
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralised(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _xlsx_cell(worksheet, value, column):
    if isinstance(value, str):
        # Control characters have no place in a workbook; openpyxl refuses them.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str):
        # openpyxl takes a string that begins with "=" for a formula; this one is text.
        cell.data_type = "s"
    elif column.number_format and value is not None:
        cell.number_format = column.number_format
    return cell
