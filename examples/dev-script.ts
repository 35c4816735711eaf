/**
 * A dev script: starts a throwaway PostgreSQL for local development, prints
 * its connection URI and keeps it until Ctrl-C, then removes it.
 *
 *   npm run build && npx tsx examples/dev-script.ts
 *
 * POSTGRES_IMAGE picks another image (default `postgres:15`, from Docker Hub).
 */
import { PostgreSqlContainer } from 'berth';

const image = process.env.POSTGRES_IMAGE ?? 'postgres:15';
const postgres = await new PostgreSqlContainer(image).withDatabase('dev').withUsername('dev').withPassword('dev').start();
console.log(`PostgreSQL is ready: ${postgres.getConnectionUri()}`);
console.log('Press Ctrl-C to stop and remove it.');

await new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await postgres.stop();
console.log('Removed.');
