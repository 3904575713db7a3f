// "/" on any page puts the cursor in the search box, unless one is typing already.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest("input, textarea, select, [contenteditable]")) return;
  const box = document.getElementById("nav-search");
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});
