// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
// number keys 1-5 open the movement forms on a depot page (accesskey needs Alt)
document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, textarea, select") || event.altKey || event.ctrlKey || event.metaKey) return;
  const link = document.querySelector(`#record-actions a[accesskey="${event.key}"]`);
  if (link) link.click();
});
