// Sorting and filtering for the threat table. The report is complete without it.
(function () {
  "use strict";
  var table = document.getElementById("threats");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var controls = document.querySelectorAll("[data-filter]");
  var search = document.getElementById("search");
  var count = document.getElementById("shown");
  var cell = null;

  function matches(row) {
    for (var i = 0; i < controls.length; i++) {
      var value = controls[i].value;
      if (value && row.dataset[controls[i].dataset.filter] !== value) { return false; }
    }
    if (cell && (row.dataset.likelihood !== cell.likelihood || row.dataset.impact !== cell.impact)) { return false; }
    var text = search.value.trim().toLowerCase();
    return !text || row.textContent.toLowerCase().indexOf(text) !== -1;
  }

  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var visible = matches(row);
      row.classList.toggle("hidden", !visible);
      var details = document.getElementById("detail-" + row.dataset.index);
      if (details) { details.classList.toggle("hidden", !visible); }
      if (visible) { shown++; }
    });
    count.textContent = String(shown);
  }

  Array.prototype.forEach.call(controls, function (control) { control.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  document.getElementById("clear").addEventListener("click", function () {
    Array.prototype.forEach.call(controls, function (control) { control.value = ""; });
    search.value = "";
    cell = null;
    apply();
  });

  Array.prototype.forEach.call(document.querySelectorAll(".matrix button"), function (button) {
    button.addEventListener("click", function () {
      cell = { likelihood: button.dataset.likelihood, impact: button.dataset.impact };
      apply();
      table.scrollIntoView();
    });
  });

  Array.prototype.forEach.call(table.tHead.querySelectorAll("th[data-sort]"), function (th, column) {
    var ascending = true;
    th.addEventListener("click", function () {
      var key = th.dataset.sort;
      rows.sort(function (a, b) {
        var x = a.dataset[key], y = b.dataset[key];
        var order = key === "rank" ? Number(x) - Number(y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      ascending = !ascending;
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
}());
