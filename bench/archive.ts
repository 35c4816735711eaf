/**
 * Save and load of the multi-layer Debian fixture: Berth writes an
 * oci-archive and a docker-archive and loads each into an empty store
 * (verify and unpack, ready to run), beside `skopeo copy oci-archive:… dir:…`
 * (read and verify only, no unpack) when skopeo is installed. Each run
 * starts from an empty target, after a sync (untimed).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveFormat } from '../src/index.js';
import { LocalEngine } from '../src/index.js';
import { installed } from './oci-runtime.js';
import { printTable, type Summary, summarise } from './stats.js';

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 5));
const FIXTURES = process.env.BERTH_FIXTURE_CACHE ?? '/var/cache/berth-fixtures';

execFileSync('bash', ['test/fixtures/build-images.sh', 'debian'], { stdio: ['ignore', 'ignore', 'inherit'] });
const work = fs.mkdtempSync(join(tmpdir(), 'berth-bench-archive-'));
const source = new LocalEngine({ root: join(work, 'source') });
const [image] = await source.loadImages(join(FIXTURES, 'debian'));
if (!image) throw new Error('the debian fixture holds no image');

/** Times `fn` once, after an untimed `reset` and sync. */
async function timed(reset: () => void, fn: () => Promise<void> | void): Promise<number> {
  reset();
  spawnSync('sync');
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const rows: { name: string; summary?: Summary; note?: string }[] = [];
try {
  for (const format of ['oci-archive', 'docker-archive'] as ArchiveFormat[]) {
    const archive = join(work, `debian.${format}.tar`);
    const target = join(work, 'target');
    const clear = (): void => fs.rmSync(target, { recursive: true, force: true });
    const save: number[] = [];
    const load: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const s = await timed(
        () => fs.rmSync(archive, { force: true }),
        () => source.saveImages([image.Id], archive, format),
      );
      const l = await timed(clear, async () => void (await new LocalEngine({ root: target }).loadImages(archive)));
      // Run 0 warms up and is not counted.
      if (run > 0) {
        save.push(s);
        load.push(l);
      }
    }
    clear();
    rows.push({ name: `berth save ${format}`, summary: summarise(save) });
    rows.push({ name: `berth load ${format} (verify+unpack)`, summary: summarise(load) });
    rows.push({ name: `berth save+load ${format}`, summary: summarise(save.map((s, i) => s + (load[i] ?? 0))) });
  }
  if (installed('skopeo')) {
    const archive = join(work, 'debian.oci-archive.tar');
    const dir = join(work, 'skopeo-dir');
    const samples: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const clear = (): void => fs.rmSync(dir, { recursive: true, force: true });
      const t = await timed(clear, () => void execFileSync('skopeo', ['copy', '-q', `oci-archive:${archive}`, `dir:${dir}`]));
      if (run > 0) samples.push(t);
    }
    rows.push({ name: 'skopeo copy oci-archive: dir: (no unpack)', summary: summarise(samples) });
  } else rows.push({ name: 'skopeo copy oci-archive: dir:', note: 'not installed' });
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
printTable(`save and load of the 3-layer Debian fixture (${RUNS} runs, ms)`, rows);
