/* ksite search: Material's header search box, answered without a server.
 *
 * Served over http(s), queries go to Pagefind's chunked index (pagefind/ at the root of the
 * language's tree): the browser fetches the small entry files and then only the index chunks
 * and result fragments the query needs. Opened from disk (file://), where fetch() and module
 * imports are refused, or where Pagefind's bundle is missing, a compact index of every page
 * (search/ksite-fallback.js, loaded by a <script> tag) is searched here instead. Results use
 * Material's markup, so they look like Material's own. No dependency, no other host.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-ksite-search]");
  var toggle = document.getElementById("__search");
  var configTag = document.getElementById("__config");
  if (!box || !toggle || !configTag) return;

  var input = box.querySelector(".md-search__input");
  var form = box.querySelector("form");
  var meta = box.querySelector(".md-search-result__meta");
  var list = box.querySelector(".md-search-result__list");
  var scrollwrap = box.querySelector(".md-search__scrollwrap");
  var config = JSON.parse(configTag.textContent);
  var text = config.translations || {};
  var root = new URL((config.base || ".").replace(/\/?$/, "/"), location.href);
  var fromDisk = location.protocol === "file:";
  var PAGE = 10;
  var HIGHLIGHT = (config.features || []).indexOf("search.highlight") !== -1;

  var engine = null; // a promise of {name, search(query) -> Promise<{total, more(from, to)}>}
  var sequence = 0;
  var current = null;
  var shown = 0;
  var timer = 0;
  var asked = null; // the query last run: keyup after input must not search twice

  function say(key, count) {
    var template = text[key] || "";
    return template.replace("#", String(count));
  }

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* A result URL is relative to the language root; from disk a folder has no index page. */
  function href(url) {
    var target = new URL(url.replace(/^\//, ""), root).href;
    if (fromDisk && /\/$/.test(target)) target += "index.html";
    return target;
  }

  /* With Material's search.highlight feature, a result link carries the words searched
   * (?h=one&h=two), and the page it opens marks them (see markSearchedWords); not from disk,
   * where nothing would mark them. */
  function resultHref(url) {
    var target = href(url);
    var words = HIGHLIGHT && !fromDisk && asked ? asked.split(/\s+/).filter(Boolean) : [];
    if (!words.length) return target;
    var link = new URL(target);
    words.forEach(function (word) {
      link.searchParams.append("h", word);
    });
    return link.href;
  }

  /* Pagefind's highlighter (mark.js inside) marks the words in the article. It is a module,
   * which browsers do not load from disk: a copy opened there shows no marks. */
  function markSearchedWords() {
    var article = document.querySelector(".md-content article");
    if (!HIGHLIGHT || fromDisk || !article || !new URLSearchParams(location.search).has("h")) return;
    import(new URL("pagefind/pagefind-highlight.js", root).href)
      .then(function (module) {
        new module.default({
          markContext: article,
          highlightParam: "h",
          markOptions: { className: "ksite-highlight" },
          addStyles: false, // Material styles <mark> in the page's own colours
        });
        article.setAttribute("data-ksite-marked", "");  // for tests
      })
      .catch(function () {});
  }

  /* -- Pagefind ------------------------------------------------------------------------- */

  function pagefindEngine() {
    return import(new URL("pagefind/pagefind.js", root).href).then(function (pagefind) {
      // Result URLs stay relative to the language root (href() resolves them), wherever the
      // site is hosted; Pagefind would otherwise prefix the path it was loaded from.
      return Promise.resolve(pagefind.options({ baseUrl: "/", excerptLength: 24 }))
        .then(function () {
          return mergeShards(pagefind);
        })
        .then(function () {
          return {
            name: "pagefind",
            search: function (query) {
              return pagefind.search(query).then(function (found) {
                var results = (found && found.results) || [];
                return {
                  total: results.length,
                  more: function (from, to) {
                    return Promise.all(
                      results.slice(from, to).map(function (r) {
                        return r.data().then(function (d) {
                          return {
                            // The page's URL is the document's "path" metadata (documents are
                            // written flat, under names of their own).
                            url: d.meta.path || d.url,
                            title: escapeHtml(d.meta.title || d.url),
                            line: escapeHtml(d.meta.line || ""),
                            excerpt: markOnly(d.excerpt || ""),
                          };
                        });
                      })
                    );
                  },
                };
              });
            },
          };
        });
    });
  }

  /* A large language's index is split into several Pagefind bundles (ksite writes the others'
     folders into the first one's ksite-shards.json); they are searched as one. */
  function mergeShards(pagefind) {
    // Not from the browser's cache: a rebuild may change the number of bundles.
    return fetch(new URL("pagefind/ksite-shards.json", root).href, { cache: "no-cache" })
      .then(function (response) {
        return response.ok ? response.json() : [];
      })
      .catch(function () {
        return [];
      })
      .then(function (folders) {
        return Promise.all(
          folders.map(function (folder) {
            return pagefind.mergeIndex(new URL(folder, root).href, { baseUrl: "/", excerptLength: 24 });
          })
        );
      });
  }

  /* Pagefind's excerpt is escaped text with <mark> around matches; keep only those tags. */
  function markOnly(excerpt) {
    return excerpt
      .replace(/<(?!\/?mark>)[^>]*>/g, "")
      .replace(/<mark>/g, "\u0001")
      .replace(/<\/mark>/g, "\u0002")
      .replace(/</g, "&lt;")
      .replace(/\u0001/g, "<mark>")
      .replace(/\u0002/g, "</mark>");
  }

  /* -- The compact fallback index --------------------------------------------------------- */

  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/;
  var CJK_RUNS = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+|[^\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\s]+/g;
  var WORD = /[\p{L}\p{N}]/u;

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  /* Query words: whitespace separates them, and so does a change between Chinese and Latin
     script ("Hegang绿色" is two words). Chinese words match anywhere in a run of characters
     (no word breaks to rely on), other words at the start of a word. */
  function terms(query) {
    return (query.normalize("NFKC").toLowerCase().match(CJK_RUNS) || []).filter(function (t) {
      return t.replace(/[^\p{L}\p{N}]/gu, "").length > 0;
    });
  }

  function find(haystack, term) {
    var at = haystack.indexOf(term);
    if (CJK.test(term)) return at;
    while (at > 0 && WORD.test(haystack.charAt(at - 1))) at = haystack.indexOf(term, at + 1);
    return at;
  }

  function highlight(value, words) {
    var html = escapeHtml(value);
    words.forEach(function (w) {
      var escaped = escapeHtml(w).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      html = html.replace(new RegExp("(" + escaped + ")", "gi"), "\u0001$1\u0002");
    });
    return html.replace(/\u0001/g, "<mark>").replace(/\u0002/g, "</mark>");
  }

  function fallbackEngine() {
    var url = new URL("search/ksite-fallback.js", root).href;
    var ready = window.ksiteSearchFallback ? Promise.resolve() : loadScript(url);
    return ready.then(function () {
      var docs = (window.ksiteSearchFallback || { docs: [] }).docs.map(function (row) {
        return {
          url: row[0],
          title: row[1],
          line: row[2],
          excerpt: row[3],
          title_lc: row[1].normalize("NFKC").toLowerCase(),
          rest_lc: [row[2], row[3], row[4]].join(" ").normalize("NFKC").toLowerCase(),
        };
      });
      return {
        name: "fallback",
        search: function (query) {
          var words = terms(query);
          var hits = [];
          docs.forEach(function (doc, order) {
            if (!words.length) return;
            var score = 0;
            for (var i = 0; i < words.length; i++) {
              var inTitle = find(doc.title_lc, words[i]) >= 0;
              if (!inTitle && find(doc.rest_lc, words[i]) < 0) return;
              score += inTitle ? 10 : 1;
            }
            hits.push({ doc: doc, score: score, order: order });
          });
          hits.sort(function (a, b) {
            return b.score - a.score || a.order - b.order;
          });
          return Promise.resolve({
            total: hits.length,
            more: function (from, to) {
              return Promise.resolve(
                hits.slice(from, to).map(function (hit) {
                  return {
                    url: hit.doc.url,
                    title: highlight(hit.doc.title, words),
                    line: escapeHtml(hit.doc.line),
                    excerpt: highlight(hit.doc.excerpt, words),
                  };
                })
              );
            },
          });
        },
      };
    });
  }

  function getEngine() {
    if (!engine) {
      engine = fromDisk
        ? fallbackEngine()
        : pagefindEngine().catch(function () {
            return fallbackEngine();
          });
      engine.then(function (chosen) {
        box.setAttribute("data-ksite-engine", chosen.name);
      });
    }
    return engine;
  }

  /* -- Results ---------------------------------------------------------------------------- */

  function item(result) {
    return (
      '<li class="md-search-result__item">' +
      '<a href="' + escapeHtml(resultHref(result.url)) + '" class="md-search-result__link" tabindex="-1">' +
      '<article class="md-search-result__article md-typeset">' +
      '<div class="md-search-result__icon md-icon"></div>' +
      "<h1>" + result.title + "</h1>" +
      (result.line ? '<p class="ksite-search-line">' + result.line + "</p>" : "") +
      (result.excerpt ? "<p>" + result.excerpt + "</p>" : "") +
      "</article></a></li>"
    );
  }

  function showMore() {
    if (!current || shown >= current.total) return Promise.resolve();
    var mine = sequence;
    var from = shown;
    shown = Math.min(current.total, shown + PAGE);
    return current.more(from, shown).then(function (results) {
      if (mine !== sequence) return;
      list.insertAdjacentHTML("beforeend", results.map(item).join(""));
    });
  }

  function run() {
    var query = input.value.trim();
    if (query === asked) return;
    asked = query;
    var mine = ++sequence;
    if (!query) {
      current = null;
      list.innerHTML = "";
      meta.textContent = say("search.result.placeholder");
      return;
    }
    getEngine()
      .then(function (chosen) {
        return chosen.search(query);
      })
      .then(function (found) {
        if (mine !== sequence) return;
        current = found;
        shown = 0;
        list.innerHTML = "";
        meta.textContent =
          found.total === 0
            ? say("search.result.none")
            : found.total === 1
              ? say("search.result.one")
              : say("search.result.other", found.total);
        return showMore().then(function () {
          if (mine === sequence) box.setAttribute("data-ksite-answered", query); // for tests
        });
      })
      .catch(function () {
        if (mine === sequence) meta.textContent = say("search.result.none");
      });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  }

  function open() {
    if (!toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
  }

  function close() {
    if (toggle.checked) {
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
    }
    input.blur();
  }

  function links() {
    return Array.prototype.slice.call(list.querySelectorAll(".md-search-result__link"));
  }

  input.addEventListener("focus", function () {
    open();
    getEngine();
  });
  input.addEventListener("input", schedule);
  input.addEventListener("keyup", schedule);
  form.addEventListener("reset", function () {
    setTimeout(function () {
      asked = null;
      run();
      input.focus();
    });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = links()[0];
    if (first) first.click();
  });
  toggle.addEventListener("change", function () {
    if (toggle.checked) input.focus();
    else input.blur();
  });
  scrollwrap.addEventListener("scroll", function () {
    if (scrollwrap.scrollTop + scrollwrap.clientHeight >= scrollwrap.scrollHeight - 40) showMore();
  });
  list.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("a")) close();
  });

  /* Material's keys: "/", "s" or "f" opens search; in it, arrows move, Enter follows, Esc closes. */
  window.addEventListener("keydown", function (event) {
    if (event.metaKey || event.ctrlKey || event.altKey || event.isComposing) return;
    var active = document.activeElement;
    var typing = active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
    if (!toggle.checked) {
      if (!typing && (event.key === "/" || event.key === "s" || event.key === "f")) {
        event.preventDefault();
        input.focus();
        input.select();
      }
      return;
    }
    var all = links();
    var at = all.indexOf(active);
    if (event.key === "Escape" || event.key === "Tab") {
      close();
    } else if (event.key === "Enter" && active === input) {
      event.preventDefault();
      if (all[0]) all[0].click();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var cycle = [input].concat(all);
      var next = (cycle.indexOf(active) + cycle.length + (event.key === "ArrowUp" ? -1 : 1)) % cycle.length;
      cycle[Math.max(0, next)].focus();
      if (at >= all.length - 2) showMore();
    }
  });

  markSearchedWords();
})();
