/**
 * A second process attaching to a container another process started:
 * writes its argument to the container's stdin through the monitor's
 * attach socket (stdin stays open), then exits.
 */
import { getEngine } from '../../src/index.js';

const [id, text] = process.argv.slice(2);
if (!id || text === undefined) throw new Error('usage: attach-writer.ts <container id> <text>');
const session = await getEngine().attachContainer(id);
await session.write(text);
session.close();
