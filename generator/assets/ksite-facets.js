/* ksite catalogue filters: progressive enhancement of a complete, server-rendered list.
 *
 * A [data-ksite-facets] block holds a JSON script (facets, their values and labels in the page's
 * language, interface text) and the list; each item ([data-ksite-item]) carries its values as
 * data-facet-<key>="a|b". This builds a filter form above the list: a text box (title and
 * summary), one group of checkboxes per facet with counts, and a clear button. Values combine
 * with OR within a facet and AND across facets; each count says how many items that value would
 * show given the other choices. The state lives in the URL query (?type=report&type=event&q=...)
 * so a filtered view can be shared and survives reload. Works from file:// (no fetch).
 */
(function () {
  "use strict";

  function normalize(text) {
    return String(text || "").normalize("NFKC").toLowerCase().replace(/\s+/g, " ");
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return key in values ? String(values[key]) : "";
    });
  }

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === "text") node.textContent = attributes[key];
      else node.setAttribute(key, attributes[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(child);
    });
    return node;
  }

  function setup(root) {
    var data = JSON.parse(root.querySelector(".ksite-faceted__data").textContent);
    var labels = data.labels;
    var facets = data.facets;
    var list = root.querySelector(".ksite-faceted__items");
    var items = Array.prototype.slice.call(root.querySelectorAll("[data-ksite-item]")).map(function (node) {
      var values = {};
      facets.forEach(function (facet) {
        var raw = node.getAttribute("data-facet-" + facet.key) || "";
        values[facet.key] = raw ? raw.split("|") : [];
      });
      return { node: node, values: values, text: normalize(node.textContent) };
    });
    var chosen = {};
    var query = "";
    var boxes = {};
    var counters = {};

    /* -- the form ------------------------------------------------------------------------- */
    var textBox = element("input", {
      type: "search",
      class: "md-input ksite-faceted__text",
      placeholder: labels.text,
      "aria-label": labels.text,
    });
    var clear = element("button", { type: "button", class: "md-button ksite-faceted__clear", text: labels.clear });
    var status = element("p", { class: "ksite-faceted__status", role: "status", "aria-live": "polite" });
    var groups = element("div", { class: "ksite-faceted__groups" });
    facets.forEach(function (facet) {
      chosen[facet.key] = new Set();
      boxes[facet.key] = {};
      counters[facet.key] = {};
      if (!facet.values.length) return;
      var fieldset = element("fieldset", { class: "ksite-facet", "data-facet": facet.key }, [
        element("legend", { text: facet.label }),
      ]);
      facet.values.forEach(function (entry) {
        var value = entry[0];
        var box = element("input", { type: "checkbox", name: facet.key, value: value });
        var count = element("span", { class: "ksite-facet__count" });
        var label = element("label", { class: "ksite-facet__value" }, [
          box,
          element("span", { class: "ksite-facet__label", text: entry[1] }),
          count,
        ]);
        if (entry[2]) label.title = entry[2];
        box.addEventListener("change", function () {
          if (box.checked) chosen[facet.key].add(value);
          else chosen[facet.key].delete(value);
          update(true);
        });
        boxes[facet.key][value] = box;
        counters[facet.key][value] = count;
        fieldset.appendChild(label);
      });
      groups.appendChild(fieldset);
    });
    var form = element("form", { class: "ksite-faceted__form", role: "search", "aria-label": labels.filters }, [
      element("div", { class: "ksite-faceted__bar" }, [textBox, clear]),
      groups,
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    var none = element("p", { class: "ksite-faceted__none", text: labels.none });
    none.hidden = true;
    root.insertBefore(form, root.firstChild);
    root.insertBefore(status, list.parentNode === root ? list : list.closest("table"));
    root.appendChild(none);

    /* -- filtering ------------------------------------------------------------------------ */
    function matches(item, except) {
      if (query && item.text.indexOf(query) < 0) return false;
      for (var i = 0; i < facets.length; i++) {
        var key = facets[i].key;
        var wanted = chosen[key];
        if (key === except || wanted.size === 0) continue;
        if (!item.values[key].some(function (v) { return wanted.has(v); })) return false;
      }
      return true;
    }

    function update(remember) {
      var shown = 0;
      items.forEach(function (item) {
        var visible = matches(item, null);
        item.node.hidden = !visible;
        if (visible) shown++;
      });
      facets.forEach(function (facet) {
        var counts = {};
        items.forEach(function (item) {
          if (!matches(item, facet.key)) return;
          item.values[facet.key].forEach(function (v) {
            counts[v] = (counts[v] || 0) + 1;
          });
        });
        Object.keys(counters[facet.key]).forEach(function (value) {
          var count = counts[value] || 0;
          var box = boxes[facet.key][value];
          counters[facet.key][value].textContent = String(count);
          box.checked = chosen[facet.key].has(value);
          box.disabled = count === 0 && !box.checked;
          box.parentNode.classList.toggle("ksite-facet__value--empty", box.disabled);
        });
      });
      status.textContent = format(labels.shown, { shown: shown, total: items.length });
      none.hidden = shown > 0;
      clear.disabled = !query && facets.every(function (f) { return chosen[f.key].size === 0; });
      if (remember) save();
    }

    /* -- the URL -------------------------------------------------------------------------- */
    function save() {
      var params = new URLSearchParams(location.search);
      params.delete("q");
      facets.forEach(function (facet) {
        params.delete(facet.key);
        chosen[facet.key].forEach(function (value) {
          params.append(facet.key, value);
        });
      });
      if (textBox.value.trim()) params.set("q", textBox.value.trim());
      var search = params.toString();
      try {
        history.replaceState(history.state, "", location.pathname + (search ? "?" + search : "") + location.hash);
      } catch (error) {
        /* some browsers refuse to change a file:// URL; the filters still work */
      }
    }

    function load() {
      var params = new URLSearchParams(location.search);
      facets.forEach(function (facet) {
        chosen[facet.key] = new Set(
          params.getAll(facet.key).filter(function (v) {
            return v in boxes[facet.key];
          })
        );
      });
      textBox.value = params.get("q") || "";
      query = normalize(textBox.value.trim());
    }

    var timer = 0;
    textBox.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        query = normalize(textBox.value.trim());
        update(true);
      }, 100);
    });
    clear.addEventListener("click", function () {
      facets.forEach(function (facet) {
        chosen[facet.key].clear();
      });
      textBox.value = "";
      query = "";
      update(true);
    });
    window.addEventListener("popstate", function () {
      load();
      update(false);
    });

    load();
    update(false);
    root.classList.add("ksite-faceted--ready");
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-ksite-facets]"), setup);
})();
