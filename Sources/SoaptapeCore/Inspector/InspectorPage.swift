import SoapXML

/// The inspector page (`GET /__soaptape/`): one self-contained HTML file, no external scripts or fonts. It asks
/// `api/interactions?after=REVISION` every 400 ms for what changed, lists interactions newest first (sequence,
/// operation, HTTP status, duration, verdict, the first difference), opens one on a click (or `#open=N`) from
/// `api/interactions/N` — rendered by the server as the HTML report renders a case — and filters to failures.
/// Every value goes into the page as text (`textContent`), never as markup; a token in the page's address
/// (`?token=…`) is passed on to every request it makes.
public enum InspectorPage {
    /// The page for `command`.
    public static func html(command: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <link rel="icon" href="data:,">
        <title>soaptape \(XMLEscaping.markup(command)) — inspector</title>
        <style>
        \(ReportHTML.style)
        header { display: flex; gap: 1.5em; align-items: baseline; }
        #list tr.interaction { cursor: pointer; } #list tr.interaction:hover { background: #f4f7ff; }
        #list tr.selected { background: #e8eeff; } #state { color: #555; }
        td.verdict.recorded, td.verdict.checking, td.verdict.shadowed,
        td.verdict.not-shadowed { color: #555; font-weight: 400; }
        tr.differing td.verdict, tr.candidate-failed td.verdict { color: #b3261e; }
        tr.equal td.verdict, tr.noise-only td.verdict { color: #1e7d32; }
        #detail { margin-top: 1.5em; border-top: 2px solid #ddd; }
        body.failures-only tr.interaction:not(.failed):not(.unmatched):not(.error):not(.differing)
        :not(.candidate-failed) { display: none; }
        </style>
        </head>
        <body>
        <header><h1>soaptape \(XMLEscaping.markup(command))</h1>
        <label><input type="checkbox" id="failures"> failures only</label>
        <span id="state">connecting…</span></header>
        <table id="list"><thead><tr><th>#</th><th>Operation</th><th>HTTP</th><th>ms</th><th>Verdict</th>\
        <th>Details</th></tr></thead><tbody id="rows"></tbody></table>
        <section id="detail"></section>
        <script>
        "use strict";
        const token = new URLSearchParams(location.search).get("token");
        const suffix = token ? "token=" + encodeURIComponent(token) : "";
        const rows = document.getElementById("rows");
        const state = document.getElementById("state");
        const detail = document.getElementById("detail");
        let revision = 0, selected = null, wanted = null;
        const hash = /^#open=(\\d+)$/.exec(location.hash);
        if (hash) wanted = Number(hash[1]);

        function cell(row, text, name) {
          const td = row.insertCell();
          td.textContent = text;
          if (name) td.className = name;
          return td;
        }

        function show(entry) {
          let row = document.getElementById("row-" + entry.sequence);
          const fresh = !row;
          if (fresh) {
            row = document.createElement("tr");
            row.id = "row-" + entry.sequence;
            row.addEventListener("click", () => open(entry.sequence));
          }
          row.replaceChildren();
          row.className = "interaction " + entry.verdict + (selected === entry.sequence ? " selected" : "");
          row.dataset.sequence = entry.sequence;
          cell(row, String(entry.sequence));
          cell(row, entry.operation);
          cell(row, String(entry.status));
          cell(row, entry.duration_ms.toFixed(1));
          cell(row, entry.verdict, "verdict " + entry.verdict);
          cell(row, entry.summary || "", "path");
          if (fresh) {
            // Newest first: before the first row with a smaller sequence.
            const after = Array.from(rows.children).find(other => Number(other.dataset.sequence) < entry.sequence);
            rows.insertBefore(row, after || null);
          }
          if (selected === entry.sequence) open(entry.sequence);
        }

        async function open(sequence) {
          selected = sequence;
          for (const row of rows.children) row.classList.toggle("selected", Number(row.dataset.sequence) === sequence);
          const answer = await fetch("api/interactions/" + sequence + (suffix ? "?" + suffix : ""));
          // The server renders the view as the HTML report renders a case, every value escaped.
          detail.innerHTML = answer.ok ? await answer.text() : "";
        }

        async function poll() {
          try {
            const answer = await fetch("api/interactions?after=" + revision + (suffix ? "&" + suffix : ""));
            if (!answer.ok) throw new Error("HTTP " + answer.status);
            const page = await answer.json();
            for (const entry of page.interactions.slice().reverse()) show(entry);
            revision = page.revision;
            state.textContent = rows.children.length + " interactions" +
              (page.dropped ? " (" + page.dropped + " older ones no longer kept)" : "") + " — live";
            if (wanted !== null && document.getElementById("row-" + wanted)) { open(wanted); wanted = null; }
          } catch (error) {
            state.textContent = "not connected (" + error.message + "); retrying";
          }
          setTimeout(poll, 400);
        }

        document.getElementById("failures").addEventListener("change", event => {
          document.body.classList.toggle("failures-only", event.target.checked);
        });
        poll();
        </script>
        </body>
        </html>

        """
    }
}
