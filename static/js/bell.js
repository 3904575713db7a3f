// The bell refreshes itself every minute, except while its menu is open: the refresh would
// close the menu under the reader's pointer.
document.addEventListener("htmx:beforeRequest", (event) => {
  const bell = document.getElementById("bell");
  if (bell && event.detail.elt === bell && bell.querySelector(".dropdown-menu.show")) {
    event.preventDefault();
  }
});
