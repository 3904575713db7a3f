// Draws every <canvas class="portal-chart" data-source="ID">, from the chart data the page
// hands over with json_script under that ID (common/charts.py).
(function () {
  if (!window.Chart) {
    return;
  }
  const palette = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#dc3545", "#20c997"];
  document.querySelectorAll("canvas.portal-chart").forEach(function (canvas) {
    const source = document.getElementById(canvas.dataset.source);
    if (!source) {
      return;
    }
    const spec = JSON.parse(source.textContent);
    const datasets = spec.datasets.map(function (series, index) {
      const colour = series.colors || palette[index % palette.length];
      return {
        label: series.label,
        data: series.data,
        backgroundColor: colour,
        borderColor: colour,
        tension: 0.2,
      };
    });
    // Counts (proposal rounds, invoices) step by whole numbers: no tick at 2.5 rounds.
    const whole = spec.datasets.every(function (series) {
      return series.data.every(Number.isInteger);
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        // A desk is read, not watched: the figures stand still from the first frame.
        animation: false,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: {
          x: { stacked: Boolean(spec.stacked), ticks: { font: { size: 10 } } },
          y: {
            stacked: Boolean(spec.stacked),
            beginAtZero: true,
            ticks: whole ? { precision: 0 } : {},
          },
        },
      },
    });
  });
})();
