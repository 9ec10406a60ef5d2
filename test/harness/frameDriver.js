// Lets integration tests, which run inside the extension host, reach the DOM of frames the workbench shows
// (an MCP App's sandboxed frame inside a webview): a loopback HTTP endpoint that finds the frame holding a
// selector with Playwright and reads or clicks it. Its address reaches the extension host as
// MCP_HOST_TEST_FRAMES (code-server passes its environment on). Only the harness starts it.
const http = require('http');

/** Starts the driver; `setPage` points it at the suite's page, `close` stops it. */
async function startFrameDriver() {
  let page;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', async () => {
      const reply = (status, value) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      try {
        const { selector, action, frameUrl } = JSON.parse(body);
        if (req.method !== 'POST' || req.url !== '/frame' || typeof selector !== 'string') return reply(400, { error: 'POST /frame {selector, action}' });
        if (!page) return reply(409, { error: 'no page' });
        if (action === 'list') return reply(200, { found: true, text: page.frames().map(f => f.url()).join('\n') });
        for (const frame of page.frames()) {
          if (frameUrl && frame.url() !== frameUrl) continue;
          const element = await frame.$(selector).catch(() => null);
          if (!element) continue;
          if (action === 'click') await element.click({ timeout: 5_000 });
          const text = await element.textContent();
          return reply(200, { found: true, text, url: frame.url() });
        }
        reply(200, { found: false });
      } catch (err) {
        reply(500, { error: String(err && err.message ? err.message : err) });
      }
    });
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    setPage(p) {
      page = p;
    },
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}

module.exports = { startFrameDriver };
