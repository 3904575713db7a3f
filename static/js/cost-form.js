// The cost form has two modes: a vendor's bill or staff time. Only the part of the chosen
// kind shows, and the hidden one is not sent; without script both parts show and the
// server says which to leave empty.
(function () {
  const parts = { vendor: "cost-vendor", staff_time: "cost-staff-time" };
  const radios = document.querySelectorAll('input[name="kind"]');
  function show() {
    const chosen = document.querySelector('input[name="kind"]:checked');
    for (const [kind, id] of Object.entries(parts)) {
      const part = document.getElementById(id);
      if (part) {
        part.hidden = part.disabled = chosen !== null && chosen.value !== kind;
      }
    }
  }
  radios.forEach((radio) => radio.addEventListener("change", show));
  show();
})();
