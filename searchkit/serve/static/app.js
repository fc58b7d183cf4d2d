// searchkit serve: keyboard only; the page works without this script.
// "/" focuses the search box; arrow keys (or j/k) move through the results.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  function move(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll(".hit-link"));
    if (!links.length) return false;
    var at = links.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
    links[next].focus();
    links[next].closest(".hit").scrollIntoView({block: "nearest"});
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var box = document.getElementById("q");
    if (event.key === "Escape" && document.activeElement === box) { box.blur(); return; }
    if (typing(event.target)) return;
    if (event.key === "/" && box) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (event.key === "ArrowDown" || event.key === "j") {
      if (move(1)) event.preventDefault();
    } else if (event.key === "ArrowUp" || event.key === "k") {
      if (move(-1)) event.preventDefault();
    }
  });
})();
// A shorter URL to share: empty dates and the default sort are left out.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList || !form.classList.contains("search")) return;
  Array.prototype.forEach.call(form.elements, function (field) {
    if (field.name && (field.value === "" || (field.name === "sort" && field.value === "relevance"))) {
      field.disabled = true;
    }
  });
});
window.addEventListener("pageshow", function () {  // back from the results: the fields usable again
  Array.prototype.forEach.call(document.querySelectorAll("form.search [disabled]"), function (field) {
    field.disabled = false;
  });
});
