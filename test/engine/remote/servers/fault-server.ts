// A small HTTP remote that misbehaves on purpose: it serves a directory remote's files, and breaks blob downloads as told.
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';

export type Fault =
  /** Serve and store faithfully. */
  | 'none'
  /** Announce the whole blob, send half, then drop the connection. */
  | 'midway'
  /** Send as many bytes as announced, but not the blob's. */
  | 'wrong-bytes'
  /** 503 to everything. */
  | 'server-error'
  /** 401 unless the request carries `Authorization: Bearer <token>`. */
  | 'auth'
  /** Answer blob downloads' headers, then nothing. */
  | 'slow'
  /** Keep connections alive, but drop each one, unanswered, at its second request (as a server's idle timeout does). */
  | 'drop-reused';

export interface FaultServer {
  url: string;
  fault: Fault;
  token: string;
  /** Every request seen: method, path and its Authorization header. */
  seen: { method: string; path: string; authorization?: string }[];
  stop(): Promise<void>;
}

/** `root` is laid out as a directory remote (blobs/…, records/…), e.g. one a push to a directory filled. */
export async function startFaultServer(root: string, fault: Fault = 'none'): Promise<FaultServer> {
  const sockets = new Set<net.Socket>();
  const requestsOn = new WeakMap<net.Socket, number>();
  const state: FaultServer = { url: '', fault, token: 'the-secret-token-4f1e', seen: [], stop: async () => {} };
  const server = http.createServer((request, response) => {
    const served = (requestsOn.get(request.socket) ?? 0) + 1;
    requestsOn.set(request.socket, served);
    if (state.fault === 'drop-reused' && served > 1) return void request.socket.destroy();
    const relative = decodeURIComponent(new URL(request.url!, 'http://x').pathname).replace(/^\/remote\//, '');
    state.seen.push({ method: request.method!, path: relative, authorization: request.headers.authorization });
    const file = path.join(root, relative);
    const isBlob = relative.startsWith('blobs/');
    if (state.fault === 'server-error') return void response.writeHead(503).end('overloaded');
    if (state.fault === 'auth' && request.headers.authorization !== `Bearer ${state.token}`) return void response.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    if (request.method === 'PUT') {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const temporary = `${file}.${Math.random()}`;
      request.pipe(fs.createWriteStream(temporary)).on('finish', () => {
        fs.renameSync(temporary, file);
        response.writeHead(201).end();
      });
      return;
    }
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return void response.writeHead(404).end();
    const bytes = fs.readFileSync(file);
    if (request.method === 'HEAD') return void response.writeHead(200, { 'content-length': bytes.length }).end();
    response.writeHead(200, { 'content-length': bytes.length });
    if (!isBlob || state.fault === 'none' || state.fault === 'auth' || state.fault === 'drop-reused') return void response.end(bytes);
    if (state.fault === 'midway') {
      response.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      setTimeout(() => request.socket.destroy(), 50);
    } else if (state.fault === 'wrong-bytes') {
      const wrong = Buffer.from(bytes);
      wrong[0] ^= 0xff;
      response.end(wrong);
    } else if (state.fault === 'slow') {
      response.flushHeaders(); // and then nothing, until the client gives up
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/remote/`;
  state.stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return state;
}
