/**
 * A stand-in for a test process that owns resources on a Docker daemon:
 * through a DockerEngine it starts a sleeping container from the image in
 * argv[2] (with an anonymous volume), creates a network and a named volume,
 * commits a temporary image of the container, prints them and its owner id
 * as one JSON line, then idles until killed.
 */
import { randomBytes } from 'node:crypto';
import { DockerEngine, GenericContainer } from '../../src/index.js';

const image = process.argv[2];
if (!image) throw new Error('usage: docker-owner.ts <image>');
const engine = new DockerEngine();
const suffix = randomBytes(4).toString('hex');
const network = await engine.createNetwork(`berth-owner-net-${suffix}`);
const volume = await engine.createVolume({ name: `berth-owner-vol-${suffix}` });
const container = await new GenericContainer(image)
  .withCommand(['sleep', '1000'])
  .withNetworkMode(network.Name)
  .withMounts([{ type: 'volume', target: '/data' }])
  .start(engine);
const info = await container.inspect();
const temporary = await engine.commitContainer(container.getId(), { temporary: true });
process.stdout.write(
  `${JSON.stringify({
    owner: info.Config.Labels['berth.owner'],
    container: container.getId(),
    network: network.Name,
    volumes: [volume.Name, ...info.Mounts.map((m) => m.Name)],
    image: temporary.Id,
  })}\n`,
);
setInterval(() => undefined, 1000);
