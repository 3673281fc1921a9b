import Foundation
import AthenaAPI
import NIOCore

/// `GET /`: a small built-in page to try a service from the browser (ASE JSON or a file; the
/// results at once, or streamed as server-sent events).
enum TestPage {
    static func render(_ table: RoutingTable) -> ByteBuffer {
        let options = table.services.map { "<option>\(escape($0.name))</option>" }.joined()
        let html = """
        <!doctype html><html><head><meta charset="utf-8"><title>Athena gateway</title>
        <style>body{font-family:sans-serif;margin:2em;max-width:60em}textarea{width:100%;height:12em;font-family:monospace}pre{background:#f4f4f4;padding:1em;white-space:pre-wrap}</style></head>
        <body><h1>Athena gateway</h1>
        <p>Service <select id="svc">\(options)</select> · <a href="/openapi.json">openapi.json</a> · <a href="/readyz">readyz</a></p>
        <p>File for payload item <input id="item" value="image" size="8"> (<select id="kind"><option>image</option><option>audio</option><option>text</option><option>video</option></select>):
        <input type="file" id="file"></p>
        <p>Request (ASE JSON):</p><textarea id="req">{"header":{"app_id":"test"},"parameter":{},"payload":{}}</textarea>
        <p><button id="send">Send</button> <label><input type="checkbox" id="sse"> stream the results (server-sent events)</label></p><pre id="out"></pre>
        <script>
        document.getElementById('send').onclick = async () => {
          const out = document.getElementById('out');
          let req;
          try { req = JSON.parse(document.getElementById('req').value); } catch (e) { out.textContent = 'bad JSON: ' + e; return; }
          const f = document.getElementById('file').files[0];
          if (f) {
            const bytes = new Uint8Array(await f.arrayBuffer()); let bin = '';
            for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
            const kind = document.getElementById('kind').value; req.payload = req.payload || {};
            req.payload[document.getElementById('item').value] = {status: 3, encoding: f.type || 'raw', [kind]: btoa(bin)};
          }
          const sse = document.getElementById('sse').checked;
          const headers = {'content-type': 'application/json'}; if (sse) headers.accept = 'text/event-stream';
          const r = await fetch('/v1/private/' + document.getElementById('svc').value, {method: 'POST', headers, body: JSON.stringify(req)});
          const show = (body) => { const p = body.payload || {};
            for (const k in p) for (const f of ['text']) if (p[k][f]) { try { p[k][f + '_decoded'] = atob(p[k][f]); } catch (e) {} }
            return JSON.stringify(body, null, 2); };
          if (!(r.headers.get('content-type') || '').startsWith('text/event-stream')) { out.textContent = r.status + '\\n' + show(await r.json()); return; }
          out.textContent = r.status + ' (streaming)\\n'; const reader = r.body.getReader(); const dec = new TextDecoder(); let buf = '';
          for (;;) { const {value, done} = await reader.read(); if (done) break; buf += dec.decode(value, {stream: true});
            let i; while ((i = buf.indexOf('\\n\\n')) >= 0) { const ev = buf.slice(0, i); buf = buf.slice(i + 2);
              for (const line of ev.split('\\n')) if (line.startsWith('data: ')) out.textContent += show(JSON.parse(line.slice(6))) + '\\n'; } }
        };
        </script></body></html>
        """
        return ByteBuffer(string: html)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
