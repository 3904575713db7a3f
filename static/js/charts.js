// Draws the charts whose data a page hands over with json_script.
(function () {
  const aging = document.getElementById("aging-data");
  const canvas = document.getElementById("aging-chart");
  if (!aging || !canvas || !window.Chart) {
    return;
  }
  const data = JSON.parse(aging.textContent);
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        {
          data: data.values,
          backgroundColor: ["#198754", "#ffc107", "#fd7e14", "#dc3545", "#842029"],
        },
      ],
    },
    options: { plugins: { legend: { display: false } }, scales: { x: { ticks: { font: { size: 9 } } } } },
  });
})();

// Planned against spent, by channel, on a spend plan's page.
(function () {
  const plan = document.getElementById("plan-data");
  const canvas = document.getElementById("plan-chart");
  if (!plan || !canvas || !window.Chart) {
    return;
  }
  const data = JSON.parse(plan.textContent);
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: canvas.dataset.planned || "Planned", data: data.planned, backgroundColor: "#0d6efd" },
        { label: canvas.dataset.spent || "Spent", data: data.actual, backgroundColor: "#fd7e14" },
      ],
    },
  });
})();
