// Sorting, filtering and highlighting. The report is complete without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var table = document.getElementById("threats");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var controls = document.querySelectorAll("[data-filter]");
  var search = document.getElementById("search");
  var count = document.getElementById("shown");
  var focusNote = document.getElementById("focus");
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };
  // One extra condition besides the controls: a matrix cell, a diagram element or a boundary.
  var focus = null;

  function matches(row) {
    for (var i = 0; i < controls.length; i++) {
      var value = controls[i].value;
      if (value && row.dataset[controls[i].dataset.filter] !== value) { return false; }
    }
    if (focus) {
      for (var key in focus.match) {
        if (row.dataset[key] !== focus.match[key]) { return false; }
      }
    }
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
    each(document.querySelectorAll("section.rule-group"), function (group) {
      group.classList.toggle("hidden", !group.querySelector("details:not(.hidden)"));
    });
    focusNote.hidden = !focus;
    focusNote.textContent = focus ? focus.label : "";
  }

  function setFocus(match, label) {
    focus = { match: match, label: label };
    apply();
    table.scrollIntoView();
  }

  // A link to a threat's details (from the compliance section) opens them.
  each(document.querySelectorAll("a[href^='#detail-']"), function (link) {
    link.addEventListener("click", function () {
      var details = document.getElementById(link.getAttribute("href").slice(1));
      if (details) { details.open = true; }
    });
  });

  each(controls, function (control) { control.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  document.getElementById("clear").addEventListener("click", function () {
    each(controls, function (control) { control.value = ""; });
    search.value = "";
    focus = null;
    apply();
  });

  each(document.querySelectorAll(".matrix button"), function (button) {
    button.addEventListener("click", function () {
      setFocus({ likelihood: button.dataset.likelihood, impact: button.dataset.impact },
        "likelihood " + button.dataset.likelihood + " × impact " + button.dataset.impact);
    });
  });

  function classWith(element, prefix) {
    for (var i = 0; i < element.classList.length; i++) {
      if (element.classList[i].indexOf(prefix) === 0) { return element.classList[i]; }
    }
    return null;
  }

  // Clicking an element of a diagram lists its threats; clicking a boundary of the overview
  // opens its own diagram and lists the threats inside it.
  each(document.querySelectorAll(".diagram g.node"), function (node) {
    node.addEventListener("click", function (event) {
      event.preventDefault();
      var element = classWith(node, "dfd-n");
      if (element) {
        var title = node.querySelector("title");
        var label = "element " + (node.querySelector("a") ? node.querySelector("a").getAttribute("xlink:title") : (title ? title.textContent : element));
        setFocus({ node: element }, label);
        return;
      }
      var boundary = classWith(node, "dfd-b");
      if (!boundary) { return; }
      each(document.querySelectorAll("details.boundary-detail"), function (details) {
        if (details.dataset.class === boundary) {
          details.open = true;
          setFocus({ boundary: details.dataset.boundary }, "boundary " + details.dataset.boundary);
        }
      });
    });
  });

  // "highlight": dims everything but the path's elements and flows.
  var shownPath = null;
  each(document.querySelectorAll("button.show-path"), function (button) {
    button.addEventListener("click", function () {
      each(document.querySelectorAll(".diagram .hl"), function (e) { e.classList.remove("hl"); });
      each(document.querySelectorAll(".diagram"), function (d) { d.classList.remove("highlighting"); });
      each(document.querySelectorAll("button.show-path"), function (b) { b.textContent = "highlight"; });
      if (shownPath === button) { shownPath = null; return; }
      shownPath = button;
      button.textContent = "hide";
      var first = null;
      button.dataset.classes.split(" ").forEach(function (name) {
        if (!/^dfd-[a-z0-9-]+$/.test(name)) { return; }
        each(document.querySelectorAll(".diagram ." + name), function (e) {
          e.classList.add("hl");
          var diagram = e.closest(".diagram");
          diagram.classList.add("highlighting");
          var details = diagram.closest("details");
          if (details) { details.open = true; }
          if (!first) { first = e; }
        });
      });
      if (first) { first.scrollIntoView({ block: "center", inline: "center" }); }
    });
  });

  each(table.tHead.querySelectorAll("th[data-sort]"), function (th) {
    var ascending = true;
    th.addEventListener("click", function () {
      var key = th.dataset.sort;
      rows.sort(function (a, b) {
        var x = a.dataset[key], y = b.dataset[key];
        var order = key === "index" ? Number(x) - Number(y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      ascending = !ascending;
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
}());
