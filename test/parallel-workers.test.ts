import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { runNestedVitest, SDK_ENTRY as SDK } from './support/nested-vitest.js';

const WORKERS = 4;
const CONTAINERS_PER_WORKER = 10;

/** One test file of the inner run: ten httpd containers at once, each reached through its own published port. */
function workerFile(worker: number): string {
  return `
import { writeFileSync } from 'node:fs';
import { GenericContainer } from ${JSON.stringify(SDK)};

async function get(port) {
  for (let attempt = 0; attempt < 250; attempt++) {
    try {
      const res = await fetch('http://127.0.0.1:' + port + '/index.html');
      if (res.status === 200) return (await res.text()).trim();
    } catch {}
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('nothing answered on port ' + port);
}

test('worker ${worker}', async () => {
  const containers = await Promise.all(Array.from({ length: ${CONTAINERS_PER_WORKER} }, (_, i) =>
    new GenericContainer(process.env.BUSYBOX_REF)
      .withCommand(['sh', '-c', 'mkdir -p /www && echo w${worker}-c' + i + ' > /www/index.html && exec httpd -f -p 80 -h /www'])
      .withExposedPorts(80)
      .start()));
  try {
    const seen = await Promise.all(containers.map(async (c) => ({ port: c.getMappedPort(80), text: await get(c.getMappedPort(80)).catch(async (e) => {
      // Say what the container was like, so a failure explains itself.
      const info = await c.inspect().catch((err) => ({ error: String(err) }));
      throw new Error(e.message + ': ' + JSON.stringify({ State: info.State, NetworkSettings: info.NetworkSettings }) + ' logs: ' + (await c.output().catch(() => '')));
    }), name: c.getName() })));
    seen.forEach((s, i) => expect(s.text).toBe('w${worker}-c' + i));
    writeFileSync(process.env.RESULTS + '/w${worker}.json', JSON.stringify({ pid: process.pid, seen }));
  } finally {
    await Promise.all(containers.map((c) => c.stop()));
  }
});
`;
}

it(`${WORKERS} vitest workers x ${CONTAINERS_PER_WORKER} containers with published ports never collide`, async () => {
  const results = mkdtempSync(join(tmpdir(), 'berth-parallel-'));
  try {
    const files = Object.fromEntries(Array.from({ length: WORKERS }, (_, w) => [`w${w}.test.ts`, workerFile(w)]));
    const config = `export default { test: { include: ['*.test.ts'], globals: true, pool: 'forks', maxWorkers: ${WORKERS}, fileParallelism: true, testTimeout: 120000 } };\n`;
    const { code, output } = await runNestedVitest(files, config, { BUSYBOX_REF: inject('fixtures').busybox, RESULTS: results });
    expect(code, output).toBe(0);
    const reports = readdirSync(results).map(
      (f) => JSON.parse(readFileSync(join(results, f), 'utf8')) as { pid: number; seen: { port: number; name: string }[] },
    );
    expect(reports).toHaveLength(WORKERS);
    expect(new Set(reports.map((r) => r.pid)).size).toBe(WORKERS);
    const all = reports.flatMap((r) => r.seen);
    expect(new Set(all.map((s) => s.port)).size).toBe(WORKERS * CONTAINERS_PER_WORKER);
    expect(new Set(all.map((s) => s.name)).size).toBe(WORKERS * CONTAINERS_PER_WORKER);
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
}, 300_000);
