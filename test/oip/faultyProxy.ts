import { createServer, type Server } from 'node:http';
import type { Rng } from '../../src/random/rng.js';

/** What the proxy does to one request, before it reaches the model (so it is never counted). */
export type Fault = 'ok' | '503' | '429' | 'reset' | 'delay';

export interface FaultyProxy {
  readonly url: string;
  readonly faults: Record<Fault, number>;
  close(): Promise<void>;
}

/**
 * A front for the server at `target` that fails a share `failRate` of requests at random
 * (seeded): a 503 or a 429 with `Retry-After: 0`, a dropped connection, or a delay of
 * `delayMs` before forwarding. Failed requests never reach the model behind it.
 */
export async function startFaultyProxy(
  target: string,
  rng: Rng,
  failRate: number,
  delayMs: number,
): Promise<FaultyProxy> {
  const faults: Record<Fault, number> = { ok: 0, '503': 0, '429': 0, reset: 0, delay: 0 };
  const kinds: Fault[] = ['503', '429', 'reset', 'delay'];
  const server: Server = createServer((req, res) => {
    const fault: Fault = rng.uniform() < failRate ? kinds[rng.int(kinds.length)] : 'ok';
    faults[fault] += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fault === 'reset') return req.socket.destroy();
      if (fault === '503' || fault === '429') {
        res.writeHead(Number(fault), { 'retry-after': '0', 'content-type': 'application/json' });
        return res.end('{"error":"try again"}');
      }
      const forward = async (): Promise<void> => {
        const r = await fetch(`${target}${req.url}`, {
          method: req.method,
          body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
          headers: { 'content-type': 'application/json' },
        });
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(Buffer.from(await r.arrayBuffer()));
      };
      setTimeout(() => void forward(), fault === 'delay' ? delayMs : 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
