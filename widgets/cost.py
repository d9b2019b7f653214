"""Cost calculator: a month of Lambda next to an always-on server, and where they cross.

Every figure comes from :mod:`lambdakit.observers.pricing`: the bill is ``pricing.estimate``
(each line and the total, facts §5 [S16]), the server is ``pricing.always_on_cost``
(instances × hourly price × 730 h), the crossing point is ``pricing.break_even_requests``.
The chart draws the same ``estimate`` at a range of request counts beside the flat server
line, break-even marked.

Example:
    >>> calc = CostCalculator(requests=3_000_000, avg_duration_ms=120, memory_mb=1536,
    ...                       free_tier=False)
    >>> [(line.name, line.amount) for line in calc.bill.lines], calc.bill.total
    ([('Requests', 0.6), ('Duration', 9.0)], 9.6)
    >>> calc.server_monthly, calc.break_even
    (60.74, 18978296)
"""

from __future__ import annotations

import html
import math

import ipywidgets as widgets
import plotly.graph_objects as go

from lambdakit import pricing, quotas
from lambdakit.models.ec2 import EC2_PRICES

__all__ = ["DEFAULT_SERVER", "DEFAULT_SERVER_HOURLY", "CostCalculator"]

#: The default always-on server: one t3.large from lambdakit's EC2 example price table
#: (lambdakit.models.ec2, which cites each figure). Check https://aws.amazon.com/ec2/pricing/.
_SERVER = EC2_PRICES["t3.large"]
DEFAULT_SERVER_HOURLY = _SERVER.usd_per_hour
DEFAULT_SERVER = _SERVER.describe()
_SERVER_SOURCE = f"example price, {_SERVER.source}; check aws.amazon.com/ec2/pricing"
_CHART_POINTS = 60
_STYLE = """<style>
.lk-bill { border-collapse: collapse; font-size: 13px; }
.lk-bill td, .lk-bill th { padding: 2px 10px; text-align: right; }
.lk-bill td:first-child, .lk-bill th:first-child { text-align: left; }
.lk-bill tr.lk-bill-total td { border-top: 1px solid #888; font-weight: bold; }
</style>"""


class CostCalculator(widgets.VBox):
    """Sliders for traffic and configuration; the Lambda bill, an always-on server, break-even.

    All arguments are the controls' starting values.
    """

    def __init__(self, *, requests: int = 3_000_000, avg_duration_ms: int = 120,
                 memory_mb: int = 512, architecture: str = "x86_64",
                 free_tier: bool = pricing.FREE_TIER_DEFAULT,
                 instances: int = 1, hourly_price: float = DEFAULT_SERVER_HOURLY) -> None:
        self.requests = widgets.FloatLogSlider(
            value=requests, base=10, min=3, max=10, step=0.01, description="requests/month",
            readout_format=".3s", continuous_update=False, style={"description_width": "120px"},
            layout=widgets.Layout(width="460px"))
        self.avg_duration_ms = widgets.BoundedIntText(
            value=avg_duration_ms, min=1, max=int(quotas.limit("timeout_s") * 1000),
            description="avg duration ms", style={"description_width": "120px"})
        lo, hi = (int(x) for x in quotas.bounds("memory_mb"))  # 128–10,240 MB in 1 MB steps [S3]
        self.memory_mb = widgets.IntSlider(
            value=memory_mb, min=lo, max=hi, step=1, description="memory MB",
            continuous_update=False, style={"description_width": "120px"},
            layout=widgets.Layout(width="460px"))
        self.architecture = widgets.ToggleButtons(
            options=list(pricing.ARCHITECTURES), value=architecture, description="architecture",
            style={"description_width": "120px", "button_width": "80px"})
        self.free_tier = widgets.Checkbox(  # 1M requests + 400,000 GB-s a month [S16]
            value=free_tier, description="free tier (1M requests + 400,000 GB-s a month)",
            indent=False, style={"description_width": "initial"},
            layout=widgets.Layout(width="auto", margin="0 0 0 125px"))
        self.instances = widgets.BoundedIntText(value=instances, min=0, max=10_000,
                                                description="servers",
                                                style={"description_width": "120px"})
        self.hourly_price = widgets.BoundedFloatText(
            value=hourly_price, min=0.0, max=1000.0, step=0.0001, description="$ per hour",
            style={"description_width": "120px"})
        self.bill_html = widgets.HTML()
        self.compare_html = widgets.HTML()
        self.chart = go.FigureWidget(layout=go.Layout(
            height=300, margin={"l": 60, "r": 20, "t": 30, "b": 50},
            xaxis={"type": "log", "title": {"text": "requests per month"}},
            yaxis={"title": {"text": "USD per month"}},
            legend={"orientation": "h", "y": 1.12}))
        self.chart.add_scatter(name="Lambda", mode="lines")
        self.chart.add_scatter(name="always-on server", mode="lines",
                               line={"dash": "dash"})
        self.chart.add_scatter(name="break-even", mode="markers",
                               marker={"size": 10, "symbol": "x"})
        self.chart.add_scatter(name="your traffic", mode="markers", marker={"size": 8})
        self.bill = pricing.estimate(requests=0, avg_duration_ms=1, memory_mb=lo)
        self.server_monthly = 0.0
        self.break_even: int | None = None
        self.error: str | None = None
        controls = (self.requests, self.avg_duration_ms, self.memory_mb, self.architecture,
                    self.free_tier, self.instances, self.hourly_price)
        for control in controls:
            control.observe(lambda _change: self.update(), names="value")
        server_note = widgets.HTML(f"<small>default server: {html.escape(DEFAULT_SERVER)} at "
                                   f"${DEFAULT_SERVER_HOURLY}/h — "
                                   f"{html.escape(_SERVER_SOURCE)}</small>")
        super().__init__([
            widgets.HTML(_STYLE + "<b>Lambda</b>"),
            self.requests, self.avg_duration_ms, self.memory_mb, self.architecture,
            self.free_tier,
            widgets.HTML("<b>Always-on server(s)</b>"),
            self.instances, self.hourly_price, server_note,
            self.bill_html, self.compare_html, self.chart,
        ])
        self.update()

    # -- computing (all by lambdakit.observers.pricing) --------------------------------------------
    def _estimate(self, requests: int) -> pricing.CostEstimate:
        return pricing.estimate(requests=requests, avg_duration_ms=int(self.avg_duration_ms.value),
                                memory_mb=int(self.memory_mb.value),
                                architecture=str(self.architecture.value),
                                free_tier=bool(self.free_tier.value))

    def update(self) -> None:
        """Re-price from the controls and redraw the bill, the comparison and the chart."""
        requests = int(round(self.requests.value))
        try:
            self.bill = self._estimate(requests)
            self.server_monthly = pricing.always_on_cost(
                instances=int(self.instances.value), hourly_price=float(self.hourly_price.value))
            self.break_even = pricing.break_even_requests(
                avg_duration_ms=int(self.avg_duration_ms.value),
                memory_mb=int(self.memory_mb.value), architecture=str(self.architecture.value),
                free_tier=bool(self.free_tier.value), monthly_fixed_cost=self.server_monthly)
            self.error = None
        except ValueError as exc:
            self.error = str(exc)
            self.bill_html.value = f"<div style='color:#b00020'>✗ {html.escape(str(exc))}</div>"
            return
        self.bill_html.value = _bill_table(self.bill)
        self.compare_html.value = self._comparison(requests)
        self._draw(requests)

    def _comparison(self, requests: int) -> str:
        total, server = self.bill.total, self.server_monthly
        cheaper = ("Lambda is cheaper" if total < server else
                   "the server is cheaper" if server < total else "they cost the same")
        be = "—" if self.break_even is None else f"{self.break_even:,}"
        return (f"<div class='lk-compare'>Lambda <b class='lk-lambda-total'>${total:,.2f}</b>"
                f" vs always-on <b class='lk-server-total'>${server:,.2f}</b> a month "
                f"({self.instances.value} × ${self.hourly_price.value:g}/h × "
                f"{pricing.HOURS_PER_MONTH:g} h): {cheaper} at {requests:,} requests.<br>"
                f"Break-even: <b class='lk-break-even'>{be}</b> requests a month — above it "
                f"the always-on server costs less.</div>")

    def _draw(self, requests: int) -> None:
        top = max(requests, self.break_even or 0, 1_000) * 10
        xs = _log_grid(1_000, top, _CHART_POINTS)
        ys = [self._estimate(n).total for n in xs]
        lam, server, be, you = self.chart.data
        with self.chart.batch_update():
            lam.x, lam.y = xs, ys
            server.x, server.y = [xs[0], xs[-1]], [self.server_monthly] * 2
            if self.break_even:
                be.x, be.y = [self.break_even], [self.server_monthly]
            else:
                be.x, be.y = [], []
            you.x, you.y = [max(requests, 1)], [self.bill.total]


def _log_grid(low: int, high: int, n: int) -> list[int]:
    """``n`` request counts spread evenly on a log scale from ``low`` to ``high``."""
    a, b = math.log10(low), math.log10(high)
    return sorted({int(round(10 ** (a + (b - a) * i / (n - 1)))) for i in range(n)})


def _bill_table(bill: pricing.CostEstimate) -> str:
    rows = "".join(
        f"<tr class='lk-bill-line'><td>{html.escape(line.name)}</td>"
        f"<td>{pricing.format_quantity(line.quantity)} {html.escape(line.unit)}</td>"
        f"<td>{pricing.format_unit_price(line.unit_price, line.unit)}</td>"
        f"<td class='lk-amount'>${line.amount:,.2f}</td></tr>"
        for line in bill.lines)
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in bill.notes)
    return (f"<table class='lk-bill'><tr><th>Lambda line</th><th>quantity</th>"
            f"<th>unit price</th><th>amount</th></tr>{rows}"
            f"<tr class='lk-bill-total'><td>Total</td><td></td><td></td>"
            f"<td class='lk-total'>${bill.total:,.2f}</td></tr></table>"
            f"<ul style='font-size:11px;color:#555;margin:2px 0'>{notes}</ul>")
