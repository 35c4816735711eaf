/**
 * A process that starts the reusable container of test/support/reusable.ts
 * (image argv[2], marker argv[3], `httpd` in argv[4] for the httpd variant),
 * prints its id as one JSON line and exits, leaving it running for the next user.
 */
import { reusable } from './reusable.js';

const [image, marker, mode] = process.argv.slice(2);
if (!image || !marker) throw new Error('usage: reuse-process.ts <image> <marker> [httpd]');
const c = await reusable(image, marker, mode === 'httpd').start();
process.stdout.write(`${JSON.stringify({ id: c.getId() })}\n`);
