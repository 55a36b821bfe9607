// A model server for `openclaw agent --local` on the container's loopback: it lists one model
// and never answers a chat call, so the agent turn is in flight when the test kills it.
// Usage: node hanging-model.mjs PORT. Logs to stderr; the harness waits for "chat call received".
import http from 'node:http';

const port = Number(process.argv[2]);
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    process.stderr.write(`model: ${request.method} ${request.url}\n`);
    if (request.url?.endsWith('/models')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ object: 'list', data: [{ id: 'tiny', object: 'model' }] }));
      return;
    }
    process.stderr.write('model: chat call received; hanging\n');
  });
});
server.listen(port, '127.0.0.1', () => process.stderr.write(`model: listening on ${port}\n`));
