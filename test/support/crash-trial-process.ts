/**
 * An owner process for the crash trials: opens a LocalEngine on the store in
 * argv[2], prints "ready", then repeats one kind of work (argv[3]: `pull`,
 * `start`, `network` or `volume`, with the image in argv[4]) until it is
 * killed (or, with `BERTH_CRASH_EXIT_AFTER_MS`, ends itself with
 * `process.exit()` that many ms after "ready"). Each round undoes its own work, so whatever the store holds when
 * the kill lands is what that moment left half-made.
 */
import { type ContainerSpec, LocalEngine } from '../../src/index.js';

const [root, work, image] = process.argv.slice(2);
if (!root || !work || !image) throw new Error('usage: crash-trial-process.ts <store root> <pull|start|network|volume> <image>');
const engine = new LocalEngine({ root, config: { insecureRegistries: [], registryMirrors: {} } });
const tag = `crash${process.pid}`;

/** Creates, starts and force-removes one container. */
async function runOnce(spec: ContainerSpec): Promise<void> {
  const id = await engine.createContainer(spec);
  await engine.startContainer(id);
  await engine.removeContainer(id, { force: true });
}

const rounds: Record<string, (i: number) => Promise<void>> = {
  pull: async () => {
    await engine.pullImage(image, { policy: 'always' });
    await engine.removeImage(image);
  },
  start: () =>
    runOnce({
      image,
      command: ['sleep', '30'],
      ports: [{ containerPort: 80 }],
      mounts: [{ type: 'volume', target: '/data' }],
    }),
  network: async (i) => {
    const name = `${tag}-${i}`;
    await engine.createNetwork(name);
    await runOnce({ image, command: ['sleep', '30'], networkMode: name });
    await engine.removeNetwork(name);
  },
  volume: async (i) => {
    const name = `${tag}-${i}`;
    await engine.createVolume({ name });
    await runOnce({ image, command: ['sleep', '30'], networkMode: 'none', mounts: [{ type: 'volume', source: name, target: '/data' }] });
    await engine.removeVolume(name);
  },
};
const round = rounds[work];
if (!round) throw new Error(`unknown work "${work}"`);
if (work !== 'pull') await engine.pullImage(image);
await engine.networkSweep;
process.stdout.write('ready\n');
// The trial's 'exit' ending: the process ends itself, exit handlers and all, wherever its work is.
const exitAfter = Number(process.env.BERTH_CRASH_EXIT_AFTER_MS || Number.NaN);
if (Number.isFinite(exitAfter)) setTimeout(() => process.exit(3), exitAfter);
for (let i = 0; ; i++) await round(i);
