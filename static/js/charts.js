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
