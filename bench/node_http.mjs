// (b) of the m3m route benchmark: Node's own `http` server with a JS handler that
// answers {"ok":true} as JSON (the machine's node). Usage: node node_http.mjs PORT
import http from 'node:http';

const port = Number(process.argv[2] || 0);
const handler = () => ({ ok: true });

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/hello') {
    const body = JSON.stringify(handler());
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } else {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  }
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  console.log(`node http listening on http://127.0.0.1:${server.address().port}`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
