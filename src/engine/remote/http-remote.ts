// A remote over HTTP(S): GET/HEAD/PUT as WebDAV servers (nginx's dav module) and HTTP build caches speak; MKCOL when a PUT needs its collection.
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { fromSystemError, RemoteError } from './errors.js';
import { blobPath, recordPath } from './layout.js';
import type { BlobDownload, Remote } from './remote.js';

export interface HttpRemoteOptions {
  /** The `Authorization` header, from the environment (credentials.ts); never part of `name` or a message. */
  authorization?: string;
  /** A request fails when the server sends nothing for this long (connecting included). */
  timeoutMs: number;
  /** Connections kept open for parallel transfers. */
  connections: number;
}

interface Request {
  method: 'GET' | 'HEAD' | 'PUT' | 'MKCOL';
  path: string;
  body?: () => Readable | Buffer;
  size?: number;
}

/** Drains and drops a response we only needed the status of, so its connection goes back to the pool. */
function discard(response: http.IncomingMessage): void {
  response.resume();
}

export class HttpRemote implements Remote {
  readonly name: string;
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly client: typeof http | typeof https;

  constructor(
    url: URL,
    private readonly options: HttpRemoteOptions,
  ) {
    this.base = new URL(url.href.endsWith('/') ? url.href : `${url.href}/`);
    this.name = this.base.href;
    this.client = this.base.protocol === 'https:' ? https : http;
    const Agent = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  }

  private url(relative: string): URL {
    return new URL(relative, this.base);
  }

  /**
   * One request; resolves with the response once its headers arrive. Socket silence past the timeout aborts it.
   * `stale`: how many kept-alive connections turned out closed by the server so far (see the error handler).
   */
  private send(request: Request, stale = 0): Promise<http.IncomingMessage> {
    const where = `remote ${this.name}`;
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {};
      if (this.options.authorization) headers.authorization = this.options.authorization;
      if (request.size !== undefined) headers['content-length'] = request.size;
      const outgoing = this.client.request(this.url(request.path), { method: request.method, agent: this.agent, headers });
      let incoming: http.IncomingMessage | undefined;
      outgoing.setTimeout(this.options.timeoutMs, () => {
        const silent = new RemoteError('remote-timeout', `${where}: no answer for ${this.options.timeoutMs / 1000} s (${request.method} ${request.path})`);
        // Also while the body streams in: the reader then sees this error, not a bare "aborted".
        incoming?.destroy(silent);
        outgoing.destroy(silent);
      });
      outgoing.on('error', (error) => {
        // A kept-alive connection the server had closed when we reused it: nothing of ours was answered, and
        // GET/HEAD/PUT/MKCOL are idempotent, so the request goes again; each such connection fails only once.
        const code = (error as NodeJS.ErrnoException).code;
        const closedUnderUs = outgoing.reusedSocket && !incoming && (code === 'ECONNRESET' || code === 'EPIPE');
        if (closedUnderUs && stale < this.options.connections) return resolve(this.send(request, stale + 1));
        reject(fromSystemError(where, error));
      });
      outgoing.on('response', (response) => {
        incoming = response;
        resolve(response);
      });
      const body = request.body?.();
      if (body === undefined) outgoing.end();
      else if (Buffer.isBuffer(body)) outgoing.end(body);
      // A body that fails midway (a local file that vanished) aborts the request: the server keeps nothing of it.
      else pipeline(body, outgoing).catch((error: unknown) => outgoing.destroy(error as Error));
    });
  }

  /** Turns a status we cannot use into its typed failure; returns the response for the caller to read or drop. */
  private check(response: http.IncomingMessage, request: Request): http.IncomingMessage {
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return response;
    discard(response);
    const what = `remote ${this.name}: ${request.method} ${request.path} answered ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
    if (status === 401 || status === 403) {
      const hint = this.options.authorization ? 'the credentials were refused' : 'set PIPELINE_REMOTE_TOKEN, or PIPELINE_REMOTE_USER and PIPELINE_REMOTE_PASSWORD';
      throw new RemoteError('remote-auth-refused', `${what} (${hint})`);
    }
    if (status >= 500) throw new RemoteError('remote-server-error', what);
    throw new RemoteError('remote-refused', what);
  }

  private async exists(relative: string): Promise<boolean> {
    const request: Request = { method: 'HEAD', path: relative };
    const response = await this.send(request);
    if (response.statusCode === 404) {
      discard(response);
      return false;
    }
    discard(this.check(response, request));
    return true;
  }

  hasBlob(sha256: string): Promise<boolean> {
    return this.exists(blobPath(sha256));
  }

  hasRecord(key: string): Promise<boolean> {
    return this.exists(recordPath(key));
  }

  async openBlob(sha256: string): Promise<BlobDownload | undefined> {
    const request: Request = { method: 'GET', path: blobPath(sha256) };
    const response = await this.send(request);
    if (response.statusCode === 404) {
      discard(response);
      return undefined;
    }
    this.check(response, request);
    const length = Number(response.headers['content-length']);
    return { stream: response, size: Number.isFinite(length) ? length : undefined };
  }

  async getRecord(key: string): Promise<Buffer | undefined> {
    const request: Request = { method: 'GET', path: recordPath(key) };
    const response = await this.send(request);
    if (response.statusCode === 404) {
      discard(response);
      return undefined;
    }
    this.check(response, request);
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        // Records are a few kB: a huge one is not a record, and must not fill memory.
        if (bytes > 64 << 20) throw new RemoteError('remote-bad-record', `remote ${this.name}: record ${key.slice(0, 12)} is over 64 MB`);
        chunks.push(chunk);
      }
    } catch (error) {
      response.destroy();
      throw fromSystemError(`remote ${this.name}`, error);
    }
    return Buffer.concat(chunks);
  }

  putBlob(sha256: string, size: number, source: () => Readable): Promise<void> {
    return this.put({ method: 'PUT', path: blobPath(sha256), body: source, size });
  }

  putRecord(key: string, bytes: Buffer): Promise<void> {
    return this.put({ method: 'PUT', path: recordPath(key), body: () => bytes, size: bytes.length });
  }

  /**
   * PUT. A WebDAV server whose collections are not made for it (nginx without `create_full_put_path`) answers
   * 409, or nginx 500, when the parent is missing: make each parent with MKCOL (405 means it exists) and try
   * once more; a server that is really failing fails the MKCOL too. The server makes the file visible only when
   * the whole body arrived, so two runs putting the same blob at once leave one whole copy.
   */
  private async put(request: Request): Promise<void> {
    const first = await this.send(request);
    if (first.statusCode !== 409 && first.statusCode !== 500) {
      discard(this.check(first, request));
      return;
    }
    discard(first);
    const parts = request.path.split('/').slice(0, -1);
    for (let depth = 1; depth <= parts.length; depth += 1) {
      const collection: Request = { method: 'MKCOL', path: `${parts.slice(0, depth).join('/')}/` };
      const made = await this.send(collection);
      if (made.statusCode === 405 || made.statusCode === 409) discard(made);
      else discard(this.check(made, collection));
    }
    discard(this.check(await this.send(request), request));
  }

  close(): void {
    this.agent.destroy();
  }
}
