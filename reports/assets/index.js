// Run index: sortable columns and a filter. Progressive enhancement only: without this
// script the table is complete, failures first.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var table = document.getElementById("tests");
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filter = document.getElementById("filter");
  var verdictFilter = document.getElementById("verdict-filter");
  var shownCount = document.getElementById("shown-count");

  function cellValue(row, column, numeric) {
    var raw = row.cells[column].getAttribute("data-value");
    if (raw === null) raw = row.cells[column].textContent;
    if (!numeric) return raw.toLowerCase();
    var number = parseFloat(raw);
    return isNaN(number) ? -Infinity : number;
  }

  function sortBy(header) {
    var column = header.cellIndex;
    var numeric = header.getAttribute("data-sort") === "number";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = cellValue(a, column, numeric), y = cellValue(b, column, numeric);
      var order = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function applyFilter() {
    var words = filter.value.toLowerCase().trim();
    var verdict = verdictFilter.value;
    var shown = 0;
    rows.forEach(function (row) {
      var rowVerdict = row.getAttribute("data-verdict");
      var verdictMatches = verdict === "" ||
          (verdict === "failing" ? rowVerdict !== "pass" : rowVerdict === verdict);
      var visible = verdictMatches && row.textContent.toLowerCase().indexOf(words) !== -1;
      row.hidden = !visible;
      if (visible) shown++;
    });
    shownCount.textContent = shown + " of " + rows.length + " shown";
  }

  Array.prototype.forEach.call(table.querySelectorAll("th[data-sort]"), function (header) {
    header.tabIndex = 0;
    header.addEventListener("click", function () { sortBy(header); });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(header); }
    });
  });
  filter.addEventListener("input", applyFilter);
  verdictFilter.addEventListener("change", applyFilter);
  applyFilter();
})();
