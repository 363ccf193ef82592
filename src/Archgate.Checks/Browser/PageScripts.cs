using System.Text.Json;

namespace Archgate.Checks.Browser;

/// <summary>
/// The JavaScript a journey's browser steps run in the page, the same in every engine: a hook that records the answers
/// to the page's fetch and XMLHttpRequest calls, and the probes behind <c>expect text</c>, <c>expect visible</c>,
/// <c>wait for response</c> and the choice of the element a click or fill acts on. Every expression evaluates to a
/// string; every value put into one is a JSON literal.
/// </summary>
internal static class PageScripts
{
    /// <summary>The attribute that marks the element a click or fill acts on.</summary>
    public const string TargetAttribute = "data-archgate-target";

    /// <summary>
    /// Records <c>{ m: method, u: absolute url, s: status (0: no answer) }</c> of each fetch and XMLHttpRequest answer in
    /// <c>window.__archgate</c>; installed once per document. As a statement (a preload script's body) and as an expression.
    /// </summary>
    public const string Hook = """
        (() => {
          if (window.__archgate) return 'kept';
          const seen = window.__archgate = { list: [] };
          const push = (m, u, s) => { try { const entry = { m: String(m || 'GET').toUpperCase(), u: new URL(String(u), location.href).href, s: s }; seen.list.push(entry); return entry; } catch (e) { return {}; } };
          const write = m => !/^(GET|HEAD|OPTIONS)$/i.test(String(m || 'GET'));
          const fetch0 = window.fetch;
          if (fetch0) {
            window.fetch = function (input, init) {
              const req = (typeof Request !== 'undefined' && input instanceof Request) ? input : null;
              const method = (init && init.method) || (req ? req.method : 'GET');
              const url = req ? req.url : input;
              return fetch0.apply(this, arguments).then(r => {
                const entry = push(method, url, r.status);
                if (write(method)) {
                  entry.q = init && typeof init.body === 'string' ? init.body.slice(0, 8000) : null;
                  entry.l = r.headers.get('Location');
                  try { r.clone().text().then(t => { entry.a = t.slice(0, 8000); }, () => { }); } catch (e) { }
                }
                return r;
              }, e => { push(method, url, 0); throw e; });
            };
          }
          const open0 = XMLHttpRequest.prototype.open;
          XMLHttpRequest.prototype.open = function (method, url) {
            this.addEventListener('loadend', () => {
              const entry = push(method, url, this.status);
              if (write(method) && (this.responseType === '' || this.responseType === 'text')) entry.a = String(this.responseText || '').slice(0, 8000);
            });
            return open0.apply(this, arguments);
          };
          return 'installed';
        })()
        """;

    /// <summary>
    /// The answers seen so far in this document: <c>{ d: document id, hook: bool, list: [...], timing: [{ u, s }] }</c>; the
    /// resource timing entries cover calls made before a hook added after the load.
    /// </summary>
    public const string Responses = """
        JSON.stringify({
          d: String(performance.timeOrigin),
          hook: !!window.__archgate,
          list: window.__archgate ? window.__archgate.list : [],
          timing: performance.getEntriesByType('resource').filter(e => e.initiatorType === 'fetch' || e.initiatorType === 'xmlhttprequest').map(e => ({ u: e.name, s: e.responseStatus || 0 }))
        })
        """;

    /// <summary>
    /// The writes (not GET, HEAD or OPTIONS) the page's fetch calls got an answer body for, in this document:
    /// <c>{ d: document id, list: [{ i: index, m, u, s, q: request body, l: Location, a: answer body }] }</c>.
    /// </summary>
    public const string Writes = """
        JSON.stringify({
          d: String(performance.timeOrigin),
          list: window.__archgate ? window.__archgate.list.map((e, i) => Object.assign({ i: i }, e)).filter(e => e.a !== undefined) : []
        })
        """;

    /// <summary>
    /// Whether the page shows an item: <c>{"found":false}</c> when nothing matches <paramref name="selector"/>, else
    /// <c>{"found":true,"text":…,"missing":[names]}</c>, a value shown when it is in the item's text or is the value of an
    /// attribute of the item or an element in it. <paramref name="values"/>: property name to the value to see.
    /// </summary>
    public static string ItemShows(string selector, IReadOnlyDictionary<string, string> values) => $$"""
        (() => {
          let el;
          try { el = document.querySelector({{Literal(selector)}}); } catch (e) { return JSON.stringify({ found: false, invalid: e.message }); }
          if (!el) return JSON.stringify({ found: false });
          const text = (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();
          const attributes = [el, ...el.querySelectorAll('*')].flatMap(n => Array.from(n.attributes).map(a => a.value));
          const wanted = {{JsonSerializer.Serialize(values)}};
          const missing = Object.keys(wanted).filter(k => !text.includes(wanted[k]) && !attributes.includes(wanted[k]));
          return JSON.stringify({ found: true, text: text.slice(0, 300), missing: missing });
        })()
        """;

    /// <summary>
    /// Marks the first visible element <paramref name="selector"/> matches with <see cref="TargetAttribute"/> =
    /// <paramref name="mark"/> and answers <c>visible</c>, else <c>hidden</c> (matches, none visible), <c>none</c> or <c>invalid: ...</c>.
    /// </summary>
    public static string MarkVisible(string selector, string mark) => $$"""
        (() => {
          let els;
          try { els = document.querySelectorAll({{Literal(selector)}}); } catch (e) { return 'invalid: ' + e.message; }
          for (const el of document.querySelectorAll('[{{TargetAttribute}}]')) el.removeAttribute('{{TargetAttribute}}');
          for (const el of els) {
            const r = el.getBoundingClientRect(), st = getComputedStyle(el);
            if (r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none') {
              el.setAttribute('{{TargetAttribute}}', {{Literal(mark)}});
              return 'visible';
            }
          }
          return els.length ? 'hidden' : 'none';
        })()
        """;

    /// <summary>The CSS selector of the element <see cref="MarkVisible"/> marked.</summary>
    public static string Marked(string mark) => $"[{TargetAttribute}=\"{mark}\"]";

    /// <summary>
    /// Empty when the page (or an element <paramref name="selector"/> matches) shows <paramref name="text"/>; else what it
    /// shows (at most 300 characters), or <c>(no element matches SELECTOR)</c>.
    /// </summary>
    public static string HasText(string? selector, string text) => $$"""
        (() => {
          let els;
          try { els = {{(selector is null ? "document.body ? [document.body] : []" : $"Array.from(document.querySelectorAll({Literal(selector)}))")}}; } catch (e) { return 'invalid selector: ' + e.message; }
          if (els.length === 0) return {{Literal($"(no element matches {selector ?? "body"})")}};
          const texts = els.map(e => (e.innerText || e.textContent || '').replace(/\s+/g, ' ').trim());
          return texts.some(t => t.includes({{Literal(text)}})) ? '' : ('"' + texts.join(' | ').slice(0, 300) + '"');
        })()
        """;

    /// <summary>The element's centre in viewport pixels, after scrolling it into view: <c>{"x":..,"y":..}</c>, or empty when it is gone.</summary>
    public static string Centre(string selector) => $$"""
        (() => {
          const el = document.querySelector({{Literal(selector)}});
          if (!el) return '';
          el.scrollIntoView({ block: 'center', inline: 'center' });
          const r = el.getBoundingClientRect();
          return JSON.stringify({ x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) });
        })()
        """;

    /// <summary>Empties the field and focuses it, so what is typed next replaces its value; <c>ok</c> or empty when it is gone.</summary>
    public static string EmptyAndFocus(string selector) => $$"""
        (() => {
          const el = document.querySelector({{Literal(selector)}});
          if (!el) return '';
          el.scrollIntoView({ block: 'center' });
          el.focus();
          if (typeof el.value === 'string') el.value = ''; // emptied; the keys typed next fire the input events a user's would
          return 'ok';
        })()
        """;

    /// <summary>A JSON string literal of <paramref name="value"/>, safe inside a script.</summary>
    public static string Literal(string value) => JsonSerializer.Serialize(value);
}
