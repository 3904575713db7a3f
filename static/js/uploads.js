// Shows how far an attachment's upload has gone, on the form htmx posts it with.
document.addEventListener("htmx:xhr:progress", (event) => {
  const form = event.target.closest(".attachment-form");
  const bar = form && form.querySelector(".upload-progress");
  if (!bar || !event.detail.lengthComputable) {
    return;
  }
  bar.hidden = false;
  bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
});
