/**
 * A process that starts the reusable sleeping container of the image in
 * argv[2] (with the marker label argv[3]), prints its id as one JSON line and
 * exits, leaving it running for the next user.
 */
import { GenericContainer } from '../../src/index.js';

const [image, marker] = process.argv.slice(2);
if (!image || !marker) throw new Error('usage: reuse-process.ts <image> <marker>');
const c = await new GenericContainer(image).withCommand(['sleep', '1000']).withLabels({ marker }).withReuse().start();
process.stdout.write(`${JSON.stringify({ id: c.getId() })}\n`);
