/**
 * A loopback HTTP proxy that misbehaves on purpose, for the sync fault tests: in front of a real
 * server it drops connections, delays, truncates responses and answers 500/503, each with a given
 * probability from a seeded generator (a run repeats exactly). Faults are bounded (`maxFaults`):
 * after that many every request passes, so a client that retries must converge. `setOffline(true)`
 * refuses every connection (the network is gone) until set back.
 */
import http from 'node:http';
import type net from 'node:net';
import { seededRandom } from './random.js';

export interface FaultRates {
  /** Connection closed before anything is forwarded. */
  drop: number;
  /** Forwarded after `delayMs`. */
  delay: number;
  /** Forwarded, and the response cut off halfway through its body (the server did the work). */
  truncate: number;
  /** Answered 500 / 503 without forwarding. */
  error500: number;
  error503: number;
}

export const DEFAULT_FAULTS: FaultRates = {
  drop: 0.2,
  delay: 0.1,
  truncate: 0.1,
  error500: 0.05,
  error503: 0.05,
};

export interface FaultProxyOptions {
  /** The real server, e.g. `http://127.0.0.1:8042`. */
  target: string;
  seed?: number;
  rates?: Partial<FaultRates>;
  /** Faults at most (delays not counted); afterwards every request passes. */
  maxFaults?: number;
  delayMs?: number;
}

export type FaultKind = keyof FaultRates | 'pass';

export interface FaultProxy {
  /** The proxy's origin (`http://127.0.0.1:<port>`): put the target's path after it. */
  origin: string;
  /** Requests seen per outcome. */
  readonly counts: Record<FaultKind, number>;
  setOffline(offline: boolean): void;
  /** Turns faults on or off (counts are kept). */
  setFaults(enabled: boolean): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const rates = { ...DEFAULT_FAULTS, ...options.rates };
  const random = seededRandom(options.seed ?? 1);
  const maxFaults = options.maxFaults ?? 200;
  const delayMs = options.delayMs ?? 300;
  const counts: Record<FaultKind, number> = {
    drop: 0,
    delay: 0,
    truncate: 0,
    error500: 0,
    error503: 0,
    pass: 0,
  };
  let faults = 0;
  let offline = false;
  let enabled = true;
  const sockets = new Set<net.Socket>();

  const choose = (): FaultKind => {
    if (!enabled || faults >= maxFaults) return 'pass';
    let r = random();
    for (const kind of ['drop', 'delay', 'truncate', 'error500', 'error503'] as const) {
      if (r < rates[kind]) return kind;
      r -= rates[kind];
    }
    return 'pass';
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, truncate: boolean): void => {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        if (!truncate) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        // Read the whole answer, send the head and half the body, then cut the connection.
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const headers = { ...answer.headers };
          delete headers['transfer-encoding'];
          headers['content-length'] = String(body.length);
          res.writeHead(answer.statusCode ?? 502, headers);
          res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
        });
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  };

  const server = http.createServer((req, res) => {
    const kind = choose();
    counts[kind]++;
    if (kind !== 'pass' && kind !== 'delay') faults++;
    switch (kind) {
      case 'drop':
        req.socket.destroy();
        return;
      case 'error500':
      case 'error503':
        req.resume();
        req.on('end', () => {
          res.writeHead(kind === 'error500' ? 500 : 503, {
            'content-type': 'text/plain',
            connection: 'close',
          });
          res.end(kind === 'error500' ? 'Internal error (fault proxy)' : 'Service unavailable (fault proxy)');
        });
        return;
      case 'delay':
        req.pause();
        setTimeout(() => {
          req.resume();
          forward(req, res, false);
        }, delayMs);
        return;
      default:
        forward(req, res, kind === 'truncate');
    }
  });
  server.on('connection', (socket) => {
    if (offline) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    counts,
    setOffline(next) {
      offline = next;
      if (next) for (const socket of sockets) socket.destroy();
    },
    setFaults(next) {
      enabled = next;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
