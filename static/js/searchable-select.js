/* Searchable selects: every <select data-searchable> gets a text box above it that narrows its
   options to those whose name contains what is typed (a county has ~300 villages and ~1,500
   organizations). No dependency, no CDN; loaded from the pages that have such selects.

   - The select stays the form's field: the submitted value is the option's value (an id), so
     the page's filters and the API keep the same parameters.
   - Chosen options and the empty choice (全部) are never filtered out: a hidden selected option
     of a multiple select would silently not be submitted.
   - Keyboard: type to narrow; Enter chooses the first match (a multiple select adds it) without
     submitting the form; ArrowDown moves into the list; Escape clears the text.
   - Options are removed and re-inserted rather than hidden, because mobile browsers (iOS) show
     hidden options in their native pickers. */
(function () {
  "use strict";

  function fold(text) {
    return (text || "").toLowerCase().replace(/\s+/g, "");
  }

  function labelOf(select) {
    if (select.id) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      if (label) {
        return label.textContent.trim();
      }
    }
    return select.getAttribute("aria-label") || select.name || "";
  }

  function enhance(select) {
    if (select.getAttribute("data-searchable-ready")) {
      return;
    }
    select.setAttribute("data-searchable-ready", "1");
    var options = Array.prototype.slice.call(select.options);
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-1";
    input.autocomplete = "off";
    input.placeholder = select.getAttribute("data-searchable-placeholder") || "输入名称查找";
    input.setAttribute("aria-label", labelOf(select) + "：输入名称查找");
    if (select.id) {
      input.id = select.id + "_search";
      input.setAttribute("aria-controls", select.id);
    }
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(status, select.nextSibling);

    function matches() {
      var terms = fold(input.value);
      return options.filter(function (option) {
        return option.value !== "" && (!terms || fold(option.text).indexOf(terms) !== -1);
      });
    }

    function apply() {
      var terms = fold(input.value);
      // Read the choice before touching the list: removing a single select's chosen option
      // makes the browser choose another one.
      var chosen = Array.prototype.filter.call(select.options, function (option) {
        return option.selected;
      });
      var shown = 0;
      var kept = options.filter(function (option) {
        var found = !terms || fold(option.text).indexOf(terms) !== -1;
        if (found && option.value !== "") {
          shown += 1;
        }
        return found || option.value === "" || chosen.indexOf(option) !== -1;
      });
      while (select.firstChild) {
        select.removeChild(select.firstChild);
      }
      kept.forEach(function (option) {
        select.appendChild(option);
      });
      // Put the choice back exactly (an option taken out earlier may carry a stale selection).
      kept.forEach(function (option) {
        option.selected = chosen.indexOf(option) !== -1;
      });
      status.textContent = terms ? (shown ? "找到 " + shown + " 项" : "没有匹配的名称") : "";
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var first = matches().filter(function (option) {
          return !option.selected;
        })[0];
        if (first) {
          first.selected = true;
          select.dispatchEvent(new Event("change", { bubbles: true }));
          status.textContent = "已选择 " + first.text;
        }
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      } else if (event.key === "Escape" && input.value) {
        event.preventDefault();
        input.value = "";
        apply();
      }
    });
  }

  function enhanceAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("select[data-searchable]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceAll(document);
    });
  } else {
    enhanceAll(document);
  }
})();
