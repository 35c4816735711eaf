/**
 * A test process that owns networked containers: creates a user network,
 * starts an httpd container on it and one on the default network, both
 * with a published port (start() waits for it to listen), prints `{ ids, pids, ports, network }` as one JSON line,
 * then idles until it is killed.
 */
import { GenericContainer, Network } from '../../src/index.js';

const image = process.argv[2];
if (!image) throw new Error('usage: network-owner.ts <image>');
const network = await new Network().start();
const onNetwork = await new GenericContainer(image)
  .withCommand(['httpd', '-f', '-p', '80'])
  .withNetwork(network)
  .withExposedPorts(80)
  .start();
const onDefault = await new GenericContainer(image).withCommand(['httpd', '-f', '-p', '80']).withExposedPorts(80).start();
const started = [onNetwork, onDefault];
const pids = await Promise.all(started.map(async (c) => (await c.inspect()).State.Pid));
process.stdout.write(
  `${JSON.stringify({ ids: started.map((c) => c.getId()), pids, ports: started.map((c) => c.getMappedPort(80)), network: network.getName() })}\n`,
);
setInterval(() => undefined, 1000);
