/**
 * A stand-in for a test process that makes a snapshot: starts a sleeping
 * container from the image in argv[2], writes a file in it, snapshots it
 * (`keep` in argv[3] keeps the snapshot), prints the snapshot's image id
 * and the chain id of its own layer as one JSON line, then exits (`exit` in argv[4]) or idles until
 * it is killed.
 */
import { chainIds } from '../../src/engine/image/image-store.js';
import { GenericContainer, getEngine } from '../../src/index.js';

const [image, lifetime, end] = process.argv.slice(2);
if (!image) throw new Error('usage: snapshot-process.ts <image> keep|temporary exit|idle');
const container = await new GenericContainer(image).withCommand(['sleep', '1000']).start();
await container.exec(['sh', '-c', 'echo seeded > /seed']);
const snapshot = await container.snapshot({ keep: lifetime === 'keep' });
const diffIds = (await getEngine().inspectImage(snapshot.getImageId()))?.Config.rootfs.diff_ids ?? [];
process.stdout.write(`${JSON.stringify({ imageId: snapshot.getImageId(), chainId: chainIds(diffIds).at(-1) })}\n`);
if (end !== 'exit') setInterval(() => undefined, 1000);
